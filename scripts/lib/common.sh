# Sourced by the install scripts (after their `set -euo pipefail`): the project root, which .tools/
# sits in, and `say`, which prefixes a line with the script's name.
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
say() { echo "$(basename "$0" .sh): $*"; }
