"""`python -m jlcheck`: runs every check on the repository (build the
library first: `cargo build --release`). Exit status 1 when any fails."""

import sys

from .checks import run_all
from .repo import julia_files, repo_inputs


def main() -> int:
    results = run_all(repo_inputs())
    failed = 0
    for name, problems in results.items():
        print(f"{name:15} {'ok' if not problems else f'{len(problems)} problem(s)'}")
        for p in problems:
            print("   ", p)
        failed += bool(problems)
    print(f"{len(julia_files())} Julia files, {len(results)} checks, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
