"""RPT-2: a certificate document names every GB/T 27025 7.8 element it lacks."""

import pytest

from caltrace.certificates.document import IncompleteCertificate, Party, require_complete
from caltrace.certificates.samples import sample_document


def test_the_sample_is_complete():
    assert sample_document().missing_elements() == []
    require_complete(sample_document())


@pytest.mark.parametrize("attr, value, named", [
    ("received_on", None, "date of receipt"),
    ("methods", (), "method used"),
    ("traceability_statement", "", "metrological traceability"),
    ("equipment", (), "measuring equipment"),
    ("customer", Party("", ""), "customer"),
    ("signatory", "", "person authorizing"),
])
def test_a_missing_element_fails_generation_naming_it(attr, value, named):
    with pytest.raises(IncompleteCertificate) as exc:
        require_complete(sample_document(**{attr: value}))
    assert len(exc.value.missing) == 1 and named in exc.value.missing[0]
