from django.urls import path

from . import views

app_name = "orders"

urlpatterns = [
    path("orders/", views.order_list, name="list"),
    path("orders/queue/", views.queue, name="queue"),
    path("orders/prices/", views.price_list, name="prices"),
    path("orders/quotes/<int:pk>/approve/", views.approve_quote, name="approve_quote"),
    path("orders/items/<int:pk>/receive/", views.receive, name="receive"),
    path("orders/items/<int:pk>/label/", views.label, name="label"),
    path("orders/items/<int:pk>/hand-over/", views.hand_over, name="hand_over"),
    path("orders/<str:number>/", views.order_detail, name="detail"),
    path("orders/<str:number>/review/", views.review, name="review"),
    path("scan/", views.scan, name="scan"),
    path("scan/<str:code>/", views.scan_code, name="scan_code"),
    path("status/", views.status_lookup, name="status_lookup"),
]
