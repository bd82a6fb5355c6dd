#!/usr/bin/env bash
# Static checks of the Terraform/Terragrunt deployment; runs offline and needs no AWS account:
#   1. terraform fmt -check over terraform/ (.tf directly, Terragrunt .hcl through stdin)
#   2. checkov over terraform/modules (zero failed checks; skips are justified in place)
#   3. pytest system-tests/terraform (structure, HA settings of prod, secrets handling, module docs)
# checkov and python-hcl2 both install a Python module named `hcl2` (checkov ships its own fork,
# bc-python-hcl2), so each gets its own venv under .venv-tools/.
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo_root"

CHECKOV_VERSION="3.3.30"
PYTHON_HCL2_VERSION="8.1.4"
PYTEST_VERSION="8.4.2"
tools_dir="$repo_root/.venv-tools"

# shellcheck source=scripts/lib/python-venv.sh
source scripts/lib/python-venv.sh

step() { printf '\n== %s\n' "$*"; }

# A CLI configuration path that does not exist only makes terraform print a warning per call.
if [[ -n ${TF_CLI_CONFIG_FILE:-} && ! -f $TF_CLI_CONFIG_FILE ]]; then
  unset TF_CLI_CONFIG_FILE
fi

step "terraform fmt -check -recursive terraform/"
if ! command -v terraform >/dev/null; then
  echo "terraform is not installed (expected terraform >= 1.11, for example /usr/local/bin/terraform): cannot check formatting" >&2
  exit 1
fi
terraform version | head -n 1
if ! terraform fmt -check -recursive -diff terraform/; then
  echo "terraform fmt found unformatted files (listed above): run 'terraform fmt -recursive terraform/'" >&2
  exit 1
fi
echo "all .tf files are formatted"

# terraform fmt does not look at Terragrunt's .hcl files by name, but formats them through stdin.
unformatted=()
while IFS= read -r -d '' file; do
  # shellcheck disable=SC2094 # both sides only read the file
  terraform fmt - <"$file" | cmp -s - "$file" || unformatted+=("$file")
done < <(find terraform/live -name '*.hcl' -print0)
if ((${#unformatted[@]})); then
  printf 'unformatted Terragrunt file: %s (fix: terraform fmt - < FILE)\n' "${unformatted[@]}" >&2
  exit 1
fi
echo "all Terragrunt .hcl files are formatted"

step "checkov ${CHECKOV_VERSION} over terraform/modules"
ensure_venv "$tools_dir/checkov" "checkov==${CHECKOV_VERSION}"
# --quiet prints only failed checks; the summary line still counts passed, failed and skipped.
"$tools_dir/checkov/bin/checkov" --directory terraform/modules --framework terraform \
  --compact --quiet --skip-download

step "pytest system-tests/terraform"
ensure_venv "$tools_dir/hcl-tests" "python-hcl2==${PYTHON_HCL2_VERSION}" "pytest==${PYTEST_VERSION}"
"$tools_dir/hcl-tests/bin/python" -m pytest -q system-tests/terraform
