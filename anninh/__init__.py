"""anninh: security-and-order operations platform for Hai Phong City Police."""

__version__ = "0.1.0"
