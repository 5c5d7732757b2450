"""examples-python.format_table: records as a text table (output_format: text)."""

import json
import sys

from tabulate import tabulate


def main() -> int:
    params = json.load(sys.stdin)["parameters"]
    rows = params["rows"]
    columns = params.get("columns")
    if not columns:
        # Every key, in the order it first appears.
        columns = list(dict.fromkeys(key for row in rows for key in row))
    cells = [[row.get(column, "") for column in columns] for row in rows]
    print(tabulate(cells, headers=columns, tablefmt=params.get("style", "github")))
    return 0


if __name__ == "__main__":
    sys.exit(main())
