"""Periodic work of the customers app: the satisfaction survey invitations."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task


@db_periodic_task(crontab(hour="8", minute="0"))
def daily_survey_invitations():
    """Every morning, invite the contacts of orders completed since to rate them (once per order)."""
    from .services import do_send_survey_invitations

    return do_send_survey_invitations()
