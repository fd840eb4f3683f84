"""Test factories of the calibration app: the three demo procedure types, built through the services."""

from decimal import Decimal

from caltrace.equipment.factories import EquipmentFactory
from caltrace.methods.choices import FieldType
from caltrace.methods.factories import MethodVersionFactory, RecordFieldFactory

from . import services
from .choices import MeasurementModel, ProcedureKind

# code → (name, quantity, unit, model, points as (nominal, setting))
PROCEDURES = {
    MeasurementModel.DMM_DCV: ("数字多用表直流电压", "直流电压", "V",
                               [("1", "10 V 量程"), ("10", "10 V 量程"), ("-10", "10 V 量程"), ("100", "100 V 量程")]),
    MeasurementModel.BALANCE: ("电子天平示值误差", "质量", "g", [("10", "Max 220 g"), ("100", "Max 220 g"),
                                                          ("200", "Max 220 g")]),
    MeasurementModel.TEMPERATURE_COMPARISON: ("铂电阻温度传感器比较法", "温度", "°C",
                                              [("0", "冰点附近"), ("50", ""), ("100", "")]),
}


def make_procedure(model_key=MeasurementModel.DMM_DCV, *, kind=ProcedureKind.AUTOMATED, readings_per_point=3,
                   version=None, code=None, required_fields=()):
    """A procedure of one of the three demo types, with its points; ``required_fields`` names record
    fields the method version requires."""
    name, quantity, unit, points = PROCEDURES[model_key]
    version = version or MethodVersionFactory()
    for field_name in required_fields:
        RecordFieldFactory(version=version, name=field_name, field_type=FieldType.TEXT)
    make_procedure.n = getattr(make_procedure, "n", 0) + 1
    return services.do_create_procedure(
        method_version=version, code=code or f"ZY-{model_key}-{make_procedure.n:03d}", name_zh=name, kind=kind,
        quantity=quantity, unit=unit, model_key=model_key, readings_per_point=readings_per_point,
        points=[{"nominal": Decimal(n), "setting": s} for n, s in points])


def make_standard(name="多产品校准器"):
    return EquipmentFactory(standard=True, name=name)
