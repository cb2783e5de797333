"""The staffing stage of the demo (to be written with the staffing issue)."""


class StaffingStage:
    def __init__(self, builder):
        self.b = builder

    def build(self) -> None:
        pass


def reset() -> None:
    """Delete every staffing row the demo may have created."""


def counts() -> dict[str, int]:
    return {}
