"""The requirement catalogue (要求目录): every id the rules and reports may name.

Ids and kinds follow the project's requirements catalogue; titles are short labels in our words.
A rule may register only with an id listed here (tests check this list against the catalogue).
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class Requirement:
    id: str
    kinds: frozenset
    zh: str
    en: str


_ROWS = [
    ("ENT-1", "RECORD EVAL", "法律实体与统一社会信用代码", "Legal entity and unified social credit code"),
    ("SITE-1", "RECORD EVAL", "独立或相对封闭的场所及租赁凭证", "Independent premises and proof of use"),
    ("SITE-2", "GATE", "实验室地址与资质文件一致", "Premises match the accredited addresses"),
    ("SITE-3", "GATE FLAG", "环境条件符合方法要求", "Environment meets the method's conditions"),
    ("QUAL-1", "GATE", "有效的资质证书及能力范围", "Valid qualification certificate and scope"),
    ("QUAL-2", "RECORD", "公开声明校准能力", "Public declaration of calibration capability"),
    ("EQP-1", "RECORD", "设备登记", "Equipment registered"),
    ("EQP-2", "GATE", "设备量值溯源有效", "Equipment metrologically traceable"),
    ("EQP-3", "GATE", "溯源后进行计量确认", "Metrological confirmation after traceability"),
    ("EQP-4", "GATE", "投入使用或重新投入使用前验证", "Verification before (re)entry into service"),
    ("EQP-5", "GATE", "标准物质在有效期内使用", "Reference materials used within validity"),
    ("EQP-6", "RECORD EVAL", "设备档案与溯源历史真实完整", "Equipment files and traceability history true"),
    ("PER-1", "RECORD EVAL", "管理、技术、监督、校准人员齐备", "Management, technical, supervision, calibration staff"),
    ("PER-2", "GATE", "授权签字人资格", "Authorized signatory qualification"),
    ("PER-3", "GATE EVAL", "技术负责人资格", "Technical director qualification"),
    ("PER-4", "GATE", "非标方法制定或确认人员资格", "Qualification to develop or validate non-standard methods"),
    ("PER-5", "GATE", "核验与校准人员资格、长期聘用、年龄", "Reviewer and calibrator qualification, employment, age"),
    ("PER-6", "RECORD EVAL", "培训人员满足要求", "Trainers meet the requirements"),
    ("PER-7", "RULE-INPUT", "检定员证视同二级注册计量师", "Verifier certificate counts as level-2 metrologist"),
    ("MTH-1", "RECORD EVAL", "使用适当方法，优先检定规程和校准规范", "Suitable methods, national specifications first"),
    ("MTH-2", "GATE", "自编方法经客户同意并经确认", "Lab-developed method consented and validated"),
    ("QMS-1", "RECORD EVAL", "文件化的管理体系", "Documented management system"),
    ("QMS-2", "RECORD EVAL", "方针和目标", "Policy and objectives"),
    ("QMS-3", "RECORD", "多场所记录统一管理与查询", "Multi-site records queryable together"),
    ("QMS-4", "RECORD EVAL", "应对风险和机遇的措施", "Actions on risks and opportunities"),
    ("CND-1", "RECORD EVAL", "独立性、公正性和诚信", "Independence, impartiality and integrity"),
    ("CND-2", "RECORD", "不因威胁或诱骗更改数据", "No data changed under pressure; changes traced"),
    ("CND-3", "GATE", "原始记录齐全", "Raw records complete"),
    ("CND-4", "RECORD FLAG", "记录与人员、设备信息真实可靠", "Records, staff and equipment information true"),
    ("CND-5", "GATE", "证书内容与实际校准活动一致", "Certificate matches the real activity"),
    ("CND-6", "GATE", "校准人员经授权，签发在认可范围内", "Calibrators authorized; signing inside scope"),
    ("CND-7", "GATE", "设备技术特性满足被校对象和方法", "Equipment characteristics fit the item and method"),
    ("PRH-1", "FLAG", "不得伪造数据和过程记录", "No forged data or records"),
    ("PRH-2", "PREVENTED", "不得出具虚假证书", "No certificate with false content"),
    ("PRH-3", "FLAG", "不得数据、结果失实", "No untrue data or results"),
    ("PRH-4", "GATE", "不得使用未按规定溯源的设备", "No untraced equipment"),
    ("PRH-5", "GATE", "不得超出认可能力范围", "No work outside the accredited scope"),
    ("PRH-6", "FLAG", "不得利用信息技术自动编造数据", "No fabrication of data with software"),
    ("MKT-1", "EVAL", "不作虚假宣传、不诋毁同行", "No false publicity or disparagement"),
    ("MKT-2", "FLAG", "不以低于成本的价格恶意竞争", "No below-cost pricing"),
    ("MKT-3", "RECORD EVAL", "三年内无违法处罚、未列入失信名单", "No penalties in 3 years, not blacklisted"),
    ("CON-1", "GATE", "开展工作前进行合同评审", "Contract review before work"),
    ("CON-2", "GATE", "偏离告知客户并在校准前解决", "Deviations told to the customer and resolved"),
    ("CON-3", "RECORD", "应客户要求提供补充资料", "Additional material on request"),
    ("VAL-1", "GATE", "使用方法的最新有效版本", "Latest valid method version"),
    ("VAL-2", "GATE", "方法偏离经批准并经客户接受", "Method deviation authorized and accepted"),
    ("VAL-3", "GATE RECORD", "非标准方法经确认", "Non-standard methods validated"),
    ("SAF-1", "RECORD", "现场安全", "On-site safety"),
    ("SMP-1", "RECORD", "样品处置程序", "Item handling procedures"),
    ("SMP-2", "RECORD", "样品唯一性标识", "Unique item identification"),
    ("SMP-3", "RECORD", "接收时的偏离记录", "Deviations on receipt recorded"),
    ("REC-1", "RECORD", "技术记录", "Technical records"),
    ("REC-2", "RECORD", "记录的保存、备份与处置", "Record storage, backup and disposal"),
    ("REC-3", "GATE", "校准行为真实发生的证据", "Evidence that the calibration happened"),
    ("REC-4", "RECORD", "记录防篡改", "Tamper-evident records"),
    ("VLD-1", "RECORD FLAG", "结果有效性监控", "Monitoring the validity of results"),
    ("RPT-1", "GATE", "报告发出前经审查和批准", "Review and approval before issue"),
    ("RPT-2", "GATE", "证书内容符合 GB/T 27025 7.8", "Certificate contents per GB/T 27025 7.8"),
    ("RPT-3", "GATE", "已发证书不得修改，只能更正替代", "Issued certificates amended only by replacement"),
    ("CMP-1", "RECORD FIGURE", "投诉处理", "Complaint handling"),
    ("IMP-1", "RECORD FIGURE", "征求客户反馈", "Customer feedback"),
    ("IMP-2", "RECORD EVAL", "不符合与纠正措施", "Nonconformities and corrective action"),
    ("IMP-3", "RECORD EVAL", "对标与改进", "Benchmarking and improvement"),
    ("CUS-1", "RECORD FIGURE", "客户满意度", "Customer satisfaction"),
    ("HR-1", "RECORD EVAL", "人力资源与培训体系", "Human resources and training"),
    ("HR-2", "RECORD EVAL", "健康安全培训与防护", "Health and safety training"),
    ("HR-3", "RECORD FLAG", "诚信教育培训", "Integrity training"),
    ("HR-4", "RECORD FIGURE", "员工满意度", "Staff satisfaction"),
    ("CSR-1", "RECORD EVAL", "社会影响评估", "Assessment of social impacts"),
    ("CSR-2", "RECORD EVAL", "道德规范与公益活动", "Ethics and public welfare"),
    ("CSR-3", "RECORD EVAL", "参与行业组织与标准制定", "Participation in metrology bodies"),
    ("CSR-4", "REPORT", "发布社会责任(ESG)报告", "Sustainability (ESG) report"),
    ("BRD-1", "RECORD EVAL", "品牌文化与自我评价", "Brand, culture and self-evaluation"),
    ("DIG-1", "FEATURE", "业务流程网上办理", "Business processes online"),
    ("DIG-2", "FEATURE", "设备全生命周期管理", "Equipment life-cycle database"),
    ("DIG-3", "GATE", "人员与设备权限实时控制", "Real-time permissions of people and equipment"),
    ("DIG-4", "FEATURE", "环境实时监控", "Real-time environment monitoring"),
    ("DIG-5", "GATE", "方法现行有效预警", "Method validity alerts"),
    ("DIG-6", "FEATURE", "数据安全", "Data security"),
    ("DIG-7", "FEATURE", "自动化与主动服务", "Automation and proactive service"),
    ("INN-1", "RECORD EVAL", "创新管理制度", "Innovation management"),
    ("INN-2", "FIGURE", "创新指标", "Innovation indicators"),
    ("INN-3", "RECORD FIGURE", "创新成果", "Innovation results"),
]

CATALOGUE: dict[str, Requirement] = {
    rid: Requirement(rid, frozenset(kinds.split()), zh, en) for rid, kinds, zh, en in _ROWS
}


def requirement(rid: str) -> Requirement:
    try:
        return CATALOGUE[rid]
    except KeyError:
        raise KeyError(f"unknown requirement id {rid!r}") from None
