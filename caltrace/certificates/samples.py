"""A complete certificate document for tests and previews (a DMM's DC voltage, JJF 1587)."""

import datetime as dt
from decimal import Decimal as D

from .document import (CertificateDocument, Condition, EquipmentUsed, ItemDescription, MethodRef, Party,
                       ResultRow)


def sample_document(**changes) -> CertificateDocument:
    doc = dict(
        number="MH2026-E-000123",
        title="校准证书",
        title_en="Calibration Certificate",
        laboratory=Party("苏州明衡计量校准技术有限公司", "江苏省苏州市工业园区衡准路8号",
                         "Suzhou Mingheng Metrology and Calibration Technology Co., Ltd.",
                         "8 Hengzhun Road, Suzhou Industrial Park, Jiangsu"),
        customer=Party("苏州瑞川精密电子有限公司", "江苏省苏州市吴中区木渎镇金枫路188号"),
        item=ItemDescription("数字多用表", "MH26-0001234", manufacturer="Keysight", model="34465A",
                             serial_no="MY12345678", name_en="Digital multimeter", condition_on_receipt="外观完好"),
        methods=(MethodRef("JJF 1587-2016", "数字多用表校准规范", "Calibration Specification for Digital Multimeters"),),
        received_on=dt.date(2026, 11, 16),
        calibrated_on=dt.date(2026, 11, 18),
        issued_on=dt.date(2026, 11, 20),
        location="总部实验室 E101 电学实验室",
        results=tuple(
            ResultRow("直流电压", "DC voltage", "V", ref, ind, u, D("2"), error=ind - ref)
            for ref, ind, u in [(D("0.1"), D("0.1000012"), D("0.0000020")), (D("1"), D("1.0000071"), D("0.0000080")),
                                (D("10"), D("10.000052"), D("0.000070"))]
        ),
        conditions=(Condition("温度", "temperature", D("20.3"), "degC", D("0.4")),
                    Condition("相对湿度", "relative humidity", D("46"), "percent")),
        equipment=(EquipmentUsed("MH-E-001", "多产品校准器", "Fluke 5522A", "1234567", "JL2026-DC-00031",
                                 "江苏省计量科学研究院", dt.date(2027, 3, 1), "U = 12 ppm, k = 2"),),
        traceability_statement="本次校准所用测量标准的量值可溯源至国家计量基准（SI 单位）。",
        traceability_statement_en="The measurement standards used are traceable to national standards (SI units).",
        calibrator="孙浩",
        reviewer="赵敏",
        signatory="陈志刚",
        verification_url="https://lab.example/verify/abc123",
    )
    doc.update(changes)
    return CertificateDocument(**doc)
