"""The demo lab (演示实验室): a realistic calibration centre seeded by ``caltrace init-demo``."""

from .seed import DemoAccount, seed  # noqa: F401
