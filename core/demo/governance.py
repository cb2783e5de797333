"""The governance stage of the demo (to be written with the governance issue)."""


class GovernanceStage:
    def __init__(self, builder):
        self.b = builder

    def build(self) -> None:
        pass


def reset() -> None:
    """Delete every governance row the demo may have created."""


def counts() -> dict[str, int]:
    return {}
