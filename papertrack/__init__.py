"""papertrack: follow new papers from Hugging Face Daily Papers and arXiv."""

__version__ = "0.1.0"
