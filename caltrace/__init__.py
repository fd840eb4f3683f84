"""caltrace: management system for calibration laboratories (计量校准机构管理系统)."""

__version__ = "0.1.0"
