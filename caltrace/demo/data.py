"""The demo lab's data (演示数据): a calibration centre with two sites near Suzhou.

Every organisation, person, address, phone number and certificate number here is fictional.
Credit codes are made up too, but valid: the organisation-code check digit (GB 11714) and the
credit-code check character (GB 32100) are computed, and the tests verify both. Method codes,
editions and titles are real. Dates confirmed against the publishers' announcements: JJF 1059-1999,
JJF 1059.1-2012, JJG 99-2006, JJG 99-2022, JJG 229-1998, JJG 229-2010 (effective dates), JJG 160-2007,
JJG 1036-2008, JJF 1638-2017. The effective dates of JJF 1587-2016, JJF 1171-2007 and JJG 1036-2022
are not confirmed (the editions are); check them against the announcements before relying on them.

The seed reads these structures; add to them rather than writing calls.
"""

import datetime as dt
from decimal import Decimal

from caltrace.core import roles
from caltrace.equipment.choices import EquipmentKind as EK
from caltrace.methods.choices import MethodKind as MK
from caltrace.org.choices import SiteTenure
from caltrace.people.choices import EmploymentType as ET
from caltrace.people.choices import QualificationKind as QK

D = dt.date.fromisoformat

AGENCY = {
    "name": "苏州明衡计量校准技术有限公司",
    "name_en": "Suzhou Mingheng Metrology and Calibration Technology Co., Ltd.",
    "credit_code": "91320594MA1MH7Q225",
    "legal_representative": "周建华",
    "address": "江苏省苏州市工业园区衡准路8号",
    "phone": "0512-65550100",
}

MAIN_SITE = "总部实验室"
WUJIANG_SITE = "吴江温度实验室"

SITES = [
    {"name": MAIN_SITE, "address": "江苏省苏州市工业园区衡准路8号", "is_main": True,
     "tenure": SiteTenure.OWNED, "tenure_document_no": "苏(2019)苏州工业园区不动产权第0012345号"},
    {"name": WUJIANG_SITE, "address": "江苏省苏州市吴江区明衡路66号2号楼", "is_main": False,
     "tenure": SiteTenure.LEASED, "tenure_document_no": "WJ-ZL-2024-017",
     "tenure_valid_from": D("2024-01-01"), "tenure_valid_until": D("2028-12-31")},
]

# site: [(room code, name, measurement standards kept there, area m²)]
ROOMS = {
    MAIN_SITE: [
        ("E101", "电学标准实验室", True, Decimal("86.50")),
        ("M102", "质量实验室（天平室）", True, Decimal("42.00")),
        ("C104", "理化实验室", False, Decimal("38.00")),
        ("R001", "样品收发室", False, Decimal("35.00")),
    ],
    WUJIANG_SITE: [
        ("WJ-T101", "温度标准实验室", True, Decimal("72.00")),
        ("WJ-R001", "样品收发室", False, Decimal("18.00")),
    ],
}

ADMIN = {"username": "admin", "email": "admin@mingheng.example", "full_name": "系统管理员"}

# Issuers of the qualifications below.
NATIONAL_SAMR = "国家市场监督管理总局"
JIANGSU_SAMR = "江苏省市场监督管理局"
JIANGSU_HRSS = "江苏省人力资源和社会保障厅"
JIANGSU_QTS = "江苏省质量技术监督局"

# One entry per staff member; those with a username get a login with the listed roles.
STAFF = [
    {"staff_no": "MH-001", "name": "周建华", "username": "zhoujianhua", "roles": (roles.LAB_MANAGER,),
     "site": MAIN_SITE, "birth_date": D("1968-03-12"), "hire_date": D("1995-07-01"),
     "calibration_since": D("1995-07-01"), "employment_type": ET.LONG_TERM,
     "qualifications": [
         {"kind": QK.SENIOR_TITLE, "title": "正高级工程师", "number": "苏职称(2016)第0371号",
          "issuer": JIANGSU_HRSS, "discipline": "计量测试", "valid_from": D("2016-12-30")},
         {"kind": QK.REGISTERED_METROLOGIST_1, "number": "RM1-2023-320041", "issuer": NATIONAL_SAMR,
          "discipline": "电学计量、热学计量", "valid_from": D("2023-03-15"), "valid_until": D("2028-03-14")},
     ]},
    {"staff_no": "MH-002", "name": "李明远", "username": "limingyuan", "roles": (roles.TECHNICAL_DIRECTOR,),
     "site": MAIN_SITE, "birth_date": D("1976-09-23"), "hire_date": D("2001-08-01"),
     "calibration_since": D("2001-08-01"), "employment_type": ET.LONG_TERM,
     "qualifications": [
         {"kind": QK.REGISTERED_METROLOGIST_1, "number": "RM1-2022-320157", "issuer": NATIONAL_SAMR,
          "discipline": "电学计量、力学计量", "valid_from": D("2022-06-20"), "valid_until": D("2027-06-19")},
         {"kind": QK.SENIOR_TITLE, "title": "高级工程师", "number": "苏职称(2011)第1327号",
          "issuer": JIANGSU_HRSS, "discipline": "计量测试", "valid_from": D("2011-12-28")},
     ]},
    {"staff_no": "MH-003", "name": "王秀兰", "username": "wangxiulan", "roles": (roles.QUALITY_MANAGER,),
     "site": MAIN_SITE, "birth_date": D("1979-05-17"), "hire_date": D("2003-07-15"),
     "calibration_since": D("2003-07-15"), "employment_type": ET.LONG_TERM,
     "qualifications": [
         {"kind": QK.REGISTERED_METROLOGIST_2, "number": "RM2-32-2023-0588", "issuer": JIANGSU_SAMR,
          "discipline": "力学计量", "valid_from": D("2023-09-01"), "valid_until": D("2028-08-31")},
         {"kind": QK.SENIOR_TITLE, "title": "高级工程师", "number": "苏职称(2015)第0862号",
          "issuer": JIANGSU_HRSS, "discipline": "质量管理", "valid_from": D("2015-12-25")},
     ]},
    {"staff_no": "MH-004", "name": "陈志刚", "username": "chenzhigang", "roles": (roles.SIGNATORY,),
     "site": MAIN_SITE, "birth_date": D("1980-11-02"), "hire_date": D("2004-07-01"),
     "calibration_since": D("2004-07-01"), "employment_type": ET.LONG_TERM,
     "qualifications": [
         {"kind": QK.REGISTERED_METROLOGIST_1, "number": "RM1-2024-320219", "issuer": NATIONAL_SAMR,
          "discipline": "电学计量、力学计量、热学计量、几何量计量", "valid_from": D("2024-04-10"),
          "valid_until": D("2029-04-09")},
     ]},
    {"staff_no": "MH-005", "name": "赵敏", "username": "zhaomin", "roles": (roles.REVIEWER,),
     "site": MAIN_SITE, "birth_date": D("1985-02-14"), "hire_date": D("2009-07-01"),
     "calibration_since": D("2009-07-01"), "employment_type": ET.LONG_TERM,
     "qualifications": [
         {"kind": QK.REGISTERED_METROLOGIST_2, "number": "RM2-32-2022-0301", "issuer": JIANGSU_SAMR,
          "discipline": "电学计量", "valid_from": D("2022-11-01"), "valid_until": D("2027-10-31")},
     ]},
    {"staff_no": "MH-006", "name": "孙浩", "username": "sunhao", "roles": (roles.CALIBRATOR,),
     "site": MAIN_SITE, "birth_date": D("1992-06-30"), "hire_date": D("2015-07-01"),
     "calibration_since": D("2015-07-01"), "employment_type": ET.LONG_TERM,
     "qualifications": [
         {"kind": QK.REGISTERED_METROLOGIST_2, "number": "RM2-32-2021-0944", "issuer": JIANGSU_SAMR,
          "discipline": "电学计量、力学计量", "valid_from": D("2024-05-20"), "valid_until": D("2029-05-19")},
     ]},
    {"staff_no": "MH-007", "name": "黄磊", "username": "huanglei", "roles": (roles.EQUIPMENT_MANAGER,),
     "site": MAIN_SITE, "birth_date": D("1983-08-08"), "hire_date": D("2008-03-01"),
     "calibration_since": D("2008-03-01"), "employment_type": ET.LONG_TERM,
     "qualifications": [
         {"kind": QK.REGISTERED_METROLOGIST_2, "number": "RM2-32-2023-0412", "issuer": JIANGSU_SAMR,
          "discipline": "电学计量", "valid_from": D("2023-06-01"), "valid_until": D("2028-05-31")},
     ]},
    {"staff_no": "MH-008", "name": "林芳", "username": "linfang", "roles": (roles.RECEPTION,),
     "site": MAIN_SITE, "birth_date": D("1995-04-21"), "hire_date": D("2019-03-01"),
     "employment_type": ET.LONG_TERM, "qualifications": []},
    {"staff_no": "MH-009", "name": "刘洋", "username": "liuyang", "roles": (roles.CALIBRATOR,),
     "site": WUJIANG_SITE, "birth_date": D("1988-12-05"), "hire_date": D("2012-07-01"),
     "calibration_since": D("2012-07-01"), "employment_type": ET.LONG_TERM,
     "qualifications": [
         {"kind": QK.REGISTERED_METROLOGIST_2, "number": "RM2-32-2022-0267", "issuer": JIANGSU_SAMR,
          "discipline": "热学计量", "valid_from": D("2022-08-15"), "valid_until": D("2027-08-14")},
     ]},
    {"staff_no": "MH-010", "name": "郑伟", "username": "zhengwei", "roles": (roles.SIGNATORY,),
     "site": WUJIANG_SITE, "birth_date": D("1978-10-19"), "hire_date": D("2002-09-01"),
     "calibration_since": D("2002-09-01"), "employment_type": ET.LONG_TERM,
     "qualifications": [
         {"kind": QK.REGISTERED_METROLOGIST_2, "number": "RM2-32-2024-0133", "issuer": JIANGSU_SAMR,
          "discipline": "热学计量", "valid_from": D("2024-02-01"), "valid_until": D("2029-01-31")},
     ]},
    # A retired verifier re-employed as an adviser: no login; his old verifier certificate has expired.
    {"staff_no": "MH-011", "name": "钱国强", "site": WUJIANG_SITE, "birth_date": D("1959-01-08"),
     "hire_date": D("2019-02-01"), "calibration_since": D("1981-09-01"), "employment_type": ET.RETIRED_REHIRED,
     "qualifications": [
         {"kind": QK.VERIFIER_CERTIFICATE, "number": "苏检定字第031206号", "issuer": JIANGSU_QTS,
          "discipline": "温度", "valid_from": D("2010-06-01"), "valid_until": D("2015-05-31")},
     ]},
]

# Methods: code without edition, kind, titles, and editions as (edition, effective on).
# SUPERSESSIONS below links editions; the older one is withdrawn when the newer takes effect.
METHODS = [
    {"code": "JJF 1587", "kind": MK.JJF, "title": "数字多用表校准规范",
     "title_en": "Calibration Specification for Digital Multimeters",
     "versions": [("2016", D("2016-12-27"))]},
    {"code": "JJF 1638", "kind": MK.JJF, "title": "多功能标准源校准规范",
     "title_en": "Calibration Specification for Multifunction Standard Sources",
     "versions": [("2017", D("2018-03-26"))]},
    {"code": "JJG 1036", "kind": MK.JJG, "title": "电子天平", "title_en": "Electronic Balances",
     "versions": [("2008", D("2008-05-20")), ("2022", D("2023-03-27"))]},
    {"code": "JJG 99", "kind": MK.JJG, "title": "砝码", "title_en": "Weights",
     "versions": [("2006", D("2007-03-06")), ("2022", D("2023-06-07"))]},
    {"code": "JJF 1171", "kind": MK.JJF, "title": "温度巡回检测仪校准规范",
     "title_en": "Calibration Specification for Temperature Itinerant Detecting Instruments",
     "versions": [("2007", D("2007-08-21"))]},
    {"code": "JJG 229", "kind": MK.JJG, "title": "工业铂、铜热电阻",
     "title_en": "Industrial Platinum and Copper Resistance Thermometers",
     "versions": [("1998", D("1998-10-01")), ("2010", D("2011-03-06"))]},
    {"code": "JJG 160", "kind": MK.JJG, "title": "标准铂电阻温度计",
     "title_en": "Standard Platinum Resistance Thermometers",
     "versions": [("2007", D("2007-12-14"))]},
    {"code": "JJF 1059", "kind": MK.JJF, "title": "测量不确定度评定与表示",
     "title_en": "Evaluation and Expression of Uncertainty in Measurement",
     "versions": [("1999", D("1999-05-01"))]},
    {"code": "JJF 1059.1", "kind": MK.JJF, "title": "测量不确定度评定与表示",
     "title_en": "Evaluation and Expression of Uncertainty in Measurement",
     "versions": [("2012", D("2013-06-03"))]},
]

# (old designation, new designation): code and edition of each.
SUPERSESSIONS = [
    (("JJG 1036", "2008"), ("JJG 1036", "2022")),
    (("JJG 99", "2006"), ("JJG 99", "2022")),
    (("JJG 229", "1998"), ("JJG 229", "2010")),
    (("JJF 1059", "1999"), ("JJF 1059.1", "2012")),
]

# Equipment by asset number; "room" is a room code above, None for software and reference data.
# Accuracy texts summarise the makers' one-year specifications.
EQUIPMENT = [
    {"asset_no": "MH-E-001", "kind": EK.MEASUREMENT_STANDARD, "name": "多产品校准器",
     "manufacturer": "Fluke", "model": "5522A", "serial_no": "4318021",
     "measuring_range": "DCV 0～±1020 V；ACV 1 mV～1020 V；DCI 0～±20.5 A；电阻 0～1100 MΩ",
     "accuracy": "DCV 3.3 V量程：±(11 ppm×读数+2 μV)", "room": "E101"},
    {"asset_no": "MH-E-002", "kind": EK.MEASUREMENT_STANDARD, "name": "8½位数字多用表",
     "manufacturer": "Keysight", "model": "3458A", "serial_no": "MY45048721",
     "measuring_range": "DCV 100 mV～1000 V；ACV 10 mV～1000 V；电阻 10 Ω～1 GΩ",
     "accuracy": "DCV 10 V量程 1年：±(8 ppm×读数+0.05 ppm×量程)", "room": "E101"},
    {"asset_no": "MH-E-003", "kind": EK.MEASURING_INSTRUMENT, "name": "温湿度计",
     "manufacturer": "Testo", "model": "608-H1", "serial_no": "61204387",
     "measuring_range": "0～50 ℃；10%～95%RH", "accuracy": "±0.5 ℃；±3%RH", "room": "E101"},
    {"asset_no": "MH-M-001", "kind": EK.MEASUREMENT_STANDARD, "name": "E2等级砝码组",
     "manufacturer": "梅特勒-托利多", "model": "1 mg～200 g", "serial_no": "B926410731",
     "measuring_range": "1 mg～200 g（24块）", "accuracy": "E2等级（JJG 99-2022）", "room": "M102"},
    {"asset_no": "MH-M-002", "kind": EK.MEASUREMENT_STANDARD, "name": "E2等级砝码组（工作用）",
     "manufacturer": "梅特勒-托利多", "model": "1 mg～200 g", "serial_no": "B926410958",
     "measuring_range": "1 mg～200 g（24块）", "accuracy": "E2等级（JJG 99-2022）", "room": "M102"},
    {"asset_no": "MH-C-001", "kind": EK.REAGENT, "name": "无水乙醇（分析纯）",
     "manufacturer": "国药集团化学试剂有限公司", "model": "500 mL", "serial_no": "20250611",
     "accuracy": "含量≥99.7%", "room": "M102"},
    {"asset_no": "MH-C-002", "kind": EK.REFERENCE_MATERIAL, "name": "pH标准缓冲溶液（pH 6.86）",
     "manufacturer": "中国计量科学研究院", "model": "250 mL", "serial_no": "250316",
     "accuracy": "U=0.01 pH（k=2）", "room": "C104"},
    {"asset_no": "WJ-T-001", "kind": EK.MEASUREMENT_STANDARD, "name": "二等标准铂电阻温度计",
     "manufacturer": "Fluke", "model": "5681", "serial_no": "1207",
     "measuring_range": "-200 ℃～660 ℃", "accuracy": "二等（JJG 160-2007）", "room": "WJ-T101"},
    {"asset_no": "WJ-T-002", "kind": EK.MEASURING_INSTRUMENT, "name": "超级测温仪",
     "manufacturer": "Fluke", "model": "1594A", "serial_no": "B54217",
     "measuring_range": "0 Ω～400 kΩ", "accuracy": "25 Ω时 1年：±(0.8 ppm×读数)", "room": "WJ-T101"},
    {"asset_no": "WJ-T-003", "kind": EK.AUXILIARY_DEVICE, "name": "恒温槽",
     "manufacturer": "Fluke", "model": "7341", "serial_no": "A3B112",
     "measuring_range": "-45 ℃～150 ℃", "accuracy": "波动度 ±0.005 ℃；均匀度 ±0.007 ℃", "room": "WJ-T101"},
    {"asset_no": "WJ-T-005", "kind": EK.MEASUREMENT_STANDARD, "name": "二等标准铂电阻温度计（工作用）",
     "manufacturer": "Fluke", "model": "5681", "serial_no": "1388",
     "measuring_range": "-200 ℃～660 ℃", "accuracy": "二等（JJG 160-2007）", "room": "WJ-T101"},
    {"asset_no": "WJ-T-006", "kind": EK.AUXILIARY_DEVICE, "name": "恒温槽（备用）",
     "manufacturer": "Fluke", "model": "7340", "serial_no": "A4C207",
     "measuring_range": "-40 ℃～150 ℃", "accuracy": "波动度 ±0.005 ℃；均匀度 ±0.007 ℃", "room": "WJ-T101"},
    {"asset_no": "WJ-T-004", "kind": EK.CONSUMABLE, "name": "恒温槽用二甲基硅油",
     "manufacturer": "道康宁", "model": "PMX-200 10 cSt", "serial_no": "0009871234",
     "measuring_range": "-40 ℃～150 ℃", "room": "WJ-T101"},
    {"asset_no": "WJ-S-001", "kind": EK.SOFTWARE, "name": "热电阻自动检定系统软件",
     "manufacturer": "苏州明衡计量校准技术有限公司", "model": "V3.2.1", "room": None},
    {"asset_no": "WJ-D-001", "kind": EK.REFERENCE_DATA, "name": "ITS-90参考函数表",
     "manufacturer": "JJG 160-2007 附录", "model": "ITS-90", "room": None},
]

# Customer organisations, their contacts and portal accounts (contacts with a username).
CUSTOMERS = [
    {"name": "苏州瑞川精密电子有限公司", "name_en": "Suzhou Ruichuan Precision Electronics Co., Ltd.",
     "credit_code": "91320594MA1P2RC53A", "address": "江苏省苏州市工业园区瑞川路12号", "phone": "0512-65550288",
     "contacts": [
         {"name": "陈静", "phone": "13800000101", "email": "chenjing@ruichuan.example", "username": "chenjing"},
         {"name": "张涛", "phone": "13800000102", "email": "zhangtao@ruichuan.example"},
     ]},
    {"name": "无锡华禾制药有限公司", "name_en": "Wuxi Huahe Pharmaceutical Co., Ltd.",
     "credit_code": "91320214MA1W8HE31K", "address": "江苏省无锡市新吴区华禾路5号", "phone": "0510-85550316",
     "contacts": [
         {"name": "许亮", "phone": "13800000201", "email": "xuliang@huahe.example", "username": "xuliang"},
     ]},
    {"name": "苏州吴江恒通电力设备有限公司", "name_en": "Suzhou Wujiang Hengtong Power Equipment Co., Ltd.",
     "credit_code": "91320509MA1T6K4N60", "address": "江苏省苏州市吴江区恒通大道101号", "phone": "0512-63550420",
     "contacts": [
         {"name": "吴建国", "phone": "13800000301", "email": "wujianguo@hengtong.example"},
     ]},
]
