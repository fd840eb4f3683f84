"""The calibration demo (not yet wired into the demo seed): three procedures, records from the
simulated bench with instrument provenance, and a typed record with a visible correction."""

import pytest
from django.utils import timezone

from caltrace.calibration import demo
from caltrace.calibration.choices import Provenance
from caltrace.calibration.models import Procedure, Reading

pytestmark = pytest.mark.django_db


def test_demo_seeds_procedures_and_records_once():
    from caltrace.demo.seed import seed

    seed()
    demo.seed(timezone.localdate())
    demo.seed(timezone.localdate())  # idempotent
    assert set(Procedure.objects.values_list("code", flat=True)) == set(demo.PROCEDURES)
    dcv = Reading.objects.filter(record__procedure__code="ZY-DCV-01")
    assert dcv.count() == 6 * 4 and not dcv.exclude(provenance=Provenance.INSTRUMENT).exists()
    assert dcv.filter(equipment__asset_no="MH-E-001").count() == 6  # the calibrator's confirmed outputs
    temp = Reading.objects.filter(record__procedure__code="ZY-TMP-01")
    assert temp.count() == 3 * 4 * 2 and temp.filter(equipment__asset_no="WJ-T-002").count() == 12
    typed = Reading.objects.filter(record__procedure__code="ZY-BAL-01", record__item__contains="XS205")
    assert typed.count() == 5 and typed.current().count() == 4
    assert typed.get(corrects__isnull=False).typed_by.username == demo.CALIBRATOR_USERNAME
