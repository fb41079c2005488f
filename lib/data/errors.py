"""The one exception for data problems: it names the file and what was expected."""


class DataError(Exception):
    """A data file is missing, unreadable or not what the homework's format requires."""


HOW_TO_GET = (
    "Run `make data` on a connected machine, put the files into ./data, "
    "or set HW5_DATA to the folder that holds them."
)
