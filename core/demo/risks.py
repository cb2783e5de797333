"""The risks stage of the demo (to be written with the risks issue)."""


class RiskStage:
    def __init__(self, builder):
        self.b = builder

    def build(self) -> None:
        pass


def reset() -> None:
    """Delete every risks row the demo may have created."""


def counts() -> dict[str, int]:
    return {}
