def load_figures() -> None:
    """Placeholder until the yearly figures land."""
