#!/usr/bin/env bash
# Deploys count-pipeline to AWS: image build and push, Terragrunt environment, database setup,
# the page on S3 behind CloudFront, and a smoke test. Non-interactive; see --help.
set -euo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
readonly REPO_ROOT

# ---- What this script expects of terraform/live/<env>/ (change names here, nowhere else) ----
readonly COMPONENT_FRONTEND=frontend
readonly COMPONENT_ECR=ecr
readonly COMPONENT_CLUSTER=ecs-cluster
readonly COMPONENT_CONSUMER=consumer                   # its service's network settings serve db-setup
readonly COMPONENT_DB_SETUP=db-setup                   # task definition of `Consumer db-setup`, no service
readonly OUTPUT_BUCKET=bucket_name
readonly OUTPUT_DISTRIBUTION_ID=distribution_id
readonly OUTPUT_DISTRIBUTION_DOMAIN=distribution_domain_name
readonly OUTPUT_REPOSITORY_URLS=repository_urls        # map with keys producer, consumer
readonly OUTPUT_CLUSTER_NAME=cluster_name
readonly OUTPUT_SERVICE_NAME=service_name
readonly OUTPUT_TASK_DEFINITION=task_definition_arn
readonly OUTPUT_CONTAINER_NAME=container_name
readonly OUTPUT_LOG_GROUP=log_group_name
readonly IMAGE_TAG_VARIABLE=TF_VAR_image_tag           # how the image tag reaches Terraform
readonly ENV_REGION_KEY=aws_region                     # the region's key in <env>/env.hcl
readonly API_BASE=/api                                 # written into the deployed config.js

readonly ENVIRONMENTS="test dev stage prod"
readonly ACTIONS="plan apply destroy frontend smoke outputs admin"

usage() {
  cat <<'EOF'
Usage: ./deploy.sh --env ENV --action ACTION [options] [-- SUBCOMMAND...]

Actions
  plan      terragrunt plan of every component of the environment
  apply     build and push the image, apply the environment, run `Consumer db-setup`,
            upload the page, invalidate CloudFront, smoke-test the deployed URL
  destroy   terragrunt destroy of the environment (needs --yes)
  frontend  upload frontend/ (config.js pointing at /api) and invalidate CloudFront
  smoke     GET /, GET /api/health, POST /api/count, GET /api/count on the deployed URL
  outputs   print every component's Terraform outputs as one JSON object
  admin     run `Consumer SUBCOMMAND...` (dead-letters ..., queue ...; see docs/operations-queue.md)
            as a one-off task with the Consumer's settings, and print its output from the task's log

Options
  --env ENV              test | dev | stage | prod (required)
  --action ACTION        one of the actions above (required)
  --region REGION        AWS region (default: aws_region in terraform/live/ENV/env.hcl, else
                         $AWS_REGION; a --region that differs from env.hcl is refused)
  --profile PROFILE      AWS named profile (default: $AWS_PROFILE or the default chain)
  --dry-run              print every command that would run; run none
  --yes                  confirm destroy and prod apply without a prompt (for CI)
  --image-tag TAG        image tag to build and deploy, or that plan and destroy pass to Terraform
                         (default: git commit, -dirty.<time> if changed)
  --endpoint-url URL     send every aws CLI call to URL (moto, LocalStack); AWS_ENDPOINT_URL works too
  --frontend-dir DIR     the page to upload (default: frontend/)
  --bucket NAME          page bucket (default: frontend output bucket_name)
  --distribution-id ID   CloudFront distribution (default: frontend output distribution_id)
  --skip-invalidation    upload without a CloudFront invalidation
  --url URL              base URL for smoke (default: https://<distribution_domain_name>)
  -h, --help             this text

Examples
  ./deploy.sh --env dev --region eu-west-1 --action plan
  ./deploy.sh --env prod --region eu-west-1 --profile prod --action apply --yes
  ./deploy.sh --env dev --region eu-west-1 --action apply --dry-run
  ./deploy.sh --env prod --action admin -- dead-letters summary
  ./deploy.sh --env prod --action admin -- dead-letters replay --kind max_deliveries --rate 50
EOF
}

# ---- Output and command helpers -------------------------------------------------------------
die() { printf 'deploy.sh: %s\n' "$*" >&2; exit 1; }
say() { printf '==> %s\n' "$*" >&2; }

# Prints a command the way a shell would read it back.
show() { printf '+'; printf ' %q' "$@"; printf '\n'; }

# Shows the command; runs it unless --dry-run.
run() {
  show "$@" >&2
  [[ $DRY_RUN == true ]] || "$@"
}

# ---- Arguments ------------------------------------------------------------------------------
ENV_NAME=""
ACTION=""
REGION=""
PROFILE="${AWS_PROFILE:-}"
DRY_RUN=false
ASSUME_YES=false
IMAGE_TAG=""
ENDPOINT_URL=""
FRONTEND_DIR="$REPO_ROOT/frontend"
BUCKET=""
DISTRIBUTION_ID=""
SKIP_INVALIDATION=false
BASE_URL=""
ADMIN_ARGS=()

need_value() { [[ $# -ge 2 && -n $2 ]] || die "$1 needs a value (see --help)"; }

parse_args() {
  while [[ $# -gt 0 ]]; do
    case $1 in
      --env) need_value "$@"; ENV_NAME=$2; shift 2 ;;
      --action) need_value "$@"; ACTION=$2; shift 2 ;;
      --region) need_value "$@"; REGION=$2; shift 2 ;;
      --profile) need_value "$@"; PROFILE=$2; shift 2 ;;
      --image-tag) need_value "$@"; IMAGE_TAG=$2; shift 2 ;;
      --endpoint-url) need_value "$@"; ENDPOINT_URL=$2; shift 2 ;;
      --frontend-dir) need_value "$@"; FRONTEND_DIR=$2; shift 2 ;;
      --bucket) need_value "$@"; BUCKET=$2; shift 2 ;;
      --distribution-id) need_value "$@"; DISTRIBUTION_ID=$2; shift 2 ;;
      --url) need_value "$@"; BASE_URL=${2%/}; shift 2 ;;
      --dry-run) DRY_RUN=true; shift ;;
      --yes) ASSUME_YES=true; shift ;;
      --skip-invalidation) SKIP_INVALIDATION=true; shift ;;
      -h | --help) usage; exit 0 ;;
      --) shift; ADMIN_ARGS=("$@"); break ;;
      *) die "unknown argument '$1' (see --help)" ;;
    esac
  done
  [[ -n $ENV_NAME ]] || die "--env is required: one of $ENVIRONMENTS"
  [[ " $ENVIRONMENTS " == *" $ENV_NAME "* ]] || die "--env '$ENV_NAME' is not one of: $ENVIRONMENTS"
  [[ -n $ACTION ]] || die "--action is required: one of $ACTIONS"
  [[ " $ACTIONS " == *" $ACTION "* ]] || die "--action '$ACTION' is not one of: $ACTIONS"
  if [[ $ACTION == admin ]]; then
    [[ ${#ADMIN_ARGS[@]} -gt 0 ]] || die "--action admin needs the subcommand after --, for example: -- dead-letters summary"
    [[ ${ADMIN_ARGS[0]} == dead-letters || ${ADMIN_ARGS[0]} == queue ]] ||
      die "--action admin runs 'dead-letters ...' or 'queue ...', not '${ADMIN_ARGS[0]}'"
    [[ "${ADMIN_ARGS[*]}" != *$'\n'* ]] || die "--action admin: an argument after -- contains a line break"
  else
    [[ ${#ADMIN_ARGS[@]} -eq 0 ]] || die "arguments after -- are only for --action admin"
  fi
}

# The environment's own region (env.hcl) wins: Terraform deploys there whatever the shell says.
resolve_region() {
  local env_file="$ENV_DIR/env.hcl" configured=""
  [[ ! -f $env_file ]] ||
    configured=$(sed -n "s/^[[:space:]]*${ENV_REGION_KEY}[[:space:]]*=[[:space:]]*\"\([a-z0-9-]*\)\".*/\1/p" "$env_file" | head -1)
  if [[ -n $configured && -n $REGION && $REGION != "$configured" ]]; then
    die "--region $REGION differs from $ENV_REGION_KEY = \"$configured\" in ${env_file#"$REPO_ROOT"/}"
  fi
  REGION=${REGION:-${configured:-${AWS_REGION:-${AWS_DEFAULT_REGION:-}}}}
}

# ---- Prerequisites --------------------------------------------------------------------------
require_tools() {
  local tool missing=()
  for tool in "$@"; do
    command -v "$tool" >/dev/null 2>&1 || missing+=("$tool")
  done
  [[ ${#missing[@]} -eq 0 ]] || die "missing on PATH for --action $ACTION: ${missing[*]} (install them first)"
}

# Which tools an action needs; Terragrunt only where outputs are not given on the command line.
check_prerequisites() {
  local tools=()
  case $ACTION in
    plan | destroy)
      tools=(terragrunt terraform)
      [[ -n $IMAGE_TAG ]] || tools+=(git) # for the default image tag
      ;;
    outputs) tools=(terragrunt terraform jq) ;;
    admin) tools=(aws terragrunt terraform jq) ;;
    apply) tools=(aws terragrunt terraform docker jq curl git) ;;
    frontend)
      tools=(aws jq)
      [[ -n $BUCKET && ( -n $DISTRIBUTION_ID || $SKIP_INVALIDATION == true ) ]] || tools+=(terragrunt terraform)
      ;;
    smoke)
      tools=(curl jq)
      [[ -n $BASE_URL ]] || tools+=(terragrunt terraform)
      ;;
  esac
  [[ $DRY_RUN == true ]] || require_tools "${tools[@]}"
  if [[ " ${tools[*]} " == *" aws "* || " ${tools[*]} " == *" terragrunt "* ]]; then
    [[ -n $REGION ]] || die "--region is required for --action $ACTION (or set AWS_REGION)"
  fi
  [[ -d $ENV_DIR || $ACTION == frontend || $ACTION == smoke || $DRY_RUN == true ]] ||
    die "no Terragrunt environment at terraform/live/$ENV_NAME"
}

# Destroying anything, or changing prod, needs --yes or a person at a terminal saying yes.
confirm_if_needed() {
  local what answer
  case $ACTION:$ENV_NAME in
    destroy:*) what="Destroying environment '$ENV_NAME'" ;;
    apply:prod) what="Applying to prod" ;;
    *) return 0 ;;
  esac
  [[ $ASSUME_YES == true || $DRY_RUN == true ]] && return 0
  [[ -t 0 ]] || die "$what needs --yes when run without a terminal"
  read -r -p "$what: type the environment name ($ENV_NAME) to continue: " answer
  [[ $answer == "$ENV_NAME" ]] || die "not confirmed; nothing done"
}

# ---- AWS CLI and Terragrunt -----------------------------------------------------------------
aws_cli() {
  local args=(aws --region "$REGION")
  [[ -z $PROFILE ]] || args+=(--profile "$PROFILE")
  [[ -z $ENDPOINT_URL ]] || args+=(--endpoint-url "$ENDPOINT_URL")
  run "${args[@]}" "$@"
}

terragrunt_all() {
  run terragrunt run --all --non-interactive --working-dir "$ENV_DIR" -- "$@"
}

terragrunt_unit() {
  local component=$1
  shift
  run terragrunt run --non-interactive --working-dir "$ENV_DIR/$component" -- "$@"
}

# Outputs of one component as JSON, read once per run and kept in the run's work directory.
component_outputs() {
  local component=$1 cache="$WORK_DIR/outputs-$1.json"
  if [[ ! -e $cache ]]; then
    terragrunt_unit "$component" output -json >"$cache"
    [[ $DRY_RUN == false ]] || echo '{}' >"$cache"
  fi
  cat "$cache"
}

# One output value (a jq path below the output's value); a placeholder in --dry-run.
output_value() {
  local component=$1 name=$2 path=${3:-} value
  value=$(component_outputs "$component" | jq -r --arg name "$name" ".[\$name].value$path // empty")
  if [[ $DRY_RUN == true ]]; then
    echo "OUTPUT:$component.$name$path"
    return
  fi
  [[ -n $value ]] || die "output '$name$path' of $component is empty; has '$ENV_NAME' been applied?"
  echo "$value"
}

# ---- Image ----------------------------------------------------------------------------------
default_image_tag() {
  local tag
  tag=$(git -C "$REPO_ROOT" rev-parse --short=12 HEAD)
  # A changed work tree must not reuse the commit's tag (ECR tags are immutable).
  if [[ -n $(git -C "$REPO_ROOT" status --porcelain --untracked-files=no) ]]; then
    tag="$tag-dirty.$(date -u +%Y%m%d%H%M%S)"
  fi
  echo "$tag"
}

# Every action that runs Terraform on the services gives it the image tag the same way: --image-tag,
# else the commit's. plan and destroy need it too, since image_tag has no default.
export_image_tag() {
  IMAGE_TAG=${IMAGE_TAG:-$(default_image_tag)}
  show export "$IMAGE_TAG_VARIABLE=$IMAGE_TAG" >&2
  export "$IMAGE_TAG_VARIABLE=$IMAGE_TAG"
}

build_and_push_image() {
  local local_image="count-pipeline:$IMAGE_TAG" repository password
  say "Building image $local_image"
  # No --build-arg RDS_CA_BUNDLE: a deployed image carries Amazon's bundle from its default URL.
  run docker build --tag "$local_image" "$REPO_ROOT"
  repository=$(output_value "$COMPONENT_ECR" "$OUTPUT_REPOSITORY_URLS" ".producer")
  # Both repositories live in the account's one registry: one login serves both pushes.
  password=$(aws_cli ecr get-login-password)
  run docker login --username AWS --password-stdin "${repository%%/*}" <<<"$password"
  for repository in producer consumer; do
    repository=$(output_value "$COMPONENT_ECR" "$OUTPUT_REPOSITORY_URLS" ".$repository")
    say "Pushing to $repository"
    run docker tag "$local_image" "$repository:$IMAGE_TAG"
    run docker push "$repository:$IMAGE_TAG"
  done
}

# ---- One-off ECS tasks: database setup and admin subcommands -------------------------------
# Runs the task definition with `command` (a JSON array) on the Consumer service's subnets and
# security groups, so it reaches Redis and the database; waits for it to stop. Sets TASK_ARN and
# TASK_EXIT_CODE.
run_one_off_task() {
  local task_definition=$1 container=$2 command=$3 cluster service network overrides
  cluster=$(output_value "$COMPONENT_CLUSTER" "$OUTPUT_CLUSTER_NAME")
  service=$(output_value "$COMPONENT_CONSUMER" "$OUTPUT_SERVICE_NAME")
  say "Running '$(jq -r 'join(" ")' <<<"$command")' as a one-off task on $cluster"
  network=$(aws_cli ecs describe-services --cluster "$cluster" --services "$service" \
    --query 'services[0].networkConfiguration' --output json)
  [[ $DRY_RUN == false ]] || network=RESULT:describe-services.networkConfiguration
  overrides=$(jq -cn --arg name "$container" --argjson command "$command" \
    '{containerOverrides: [{name: $name, command: $command}]}')
  TASK_ARN=$(aws_cli ecs run-task --cluster "$cluster" --task-definition "$task_definition" \
    --launch-type FARGATE --network-configuration "$network" --overrides "$overrides" \
    --started-by deploy.sh --query 'tasks[0].taskArn' --output text)
  [[ $DRY_RUN == false ]] || TASK_ARN=RESULT:run-task.taskArn
  aws_cli ecs wait tasks-stopped --cluster "$cluster" --tasks "$TASK_ARN"
  TASK_EXIT_CODE=$(aws_cli ecs describe-tasks --cluster "$cluster" --tasks "$TASK_ARN" \
    --query "tasks[0].containers[?name=='$container'].exitCode | [0]" --output text)
}

run_db_setup() {
  local task_definition container
  task_definition=$(output_value "$COMPONENT_DB_SETUP" "$OUTPUT_TASK_DEFINITION")
  container=$(output_value "$COMPONENT_DB_SETUP" "$OUTPUT_CONTAINER_NAME")
  # The task definition already runs db-setup; saying it here keeps the step explicit.
  run_one_off_task "$task_definition" "$container" '["/app/Consumer", "db-setup"]'
  [[ $DRY_RUN == true || $TASK_EXIT_CODE == 0 ]] ||
    die "db-setup task $TASK_ARN exited with '$TASK_EXIT_CODE'; see its CloudWatch logs"
}

# `Consumer dead-letters ...` / `Consumer queue ...` with the Consumer's own task definition (its
# settings, its Redis user), then the task's output from its log stream, awslogs' prefix/container/task-id.
action_admin() {
  local task_definition container log_group command
  task_definition=$(output_value "$COMPONENT_CONSUMER" "$OUTPUT_TASK_DEFINITION")
  container=$(output_value "$COMPONENT_CONSUMER" "$OUTPUT_CONTAINER_NAME")
  log_group=$(output_value "$COMPONENT_CONSUMER" "$OUTPUT_LOG_GROUP")
  # One argument per input line, so none is read as an option of jq's own.
  command=$(printf '%s\n' "${ADMIN_ARGS[@]}" | jq -cRn '["/app/Consumer"] + [inputs]')
  run_one_off_task "$task_definition" "$container" "$command"
  aws_cli logs get-log-events --log-group-name "$log_group" --log-stream-name "$container/$container/${TASK_ARN##*/}" \
    --start-from-head --query 'events[].message' --output json | jq -r '.[]'
  [[ $DRY_RUN == true || $TASK_EXIT_CODE == 0 ]] ||
    die "admin task $TASK_ARN exited with '$TASK_EXIT_CODE' (its output is above)"
}

# ---- Frontend -------------------------------------------------------------------------------
content_type_for() {
  case ${1,,} in
    *.html | *.htm) echo 'text/html; charset=utf-8' ;;
    *.js | *.mjs) echo 'text/javascript; charset=utf-8' ;;
    *.css) echo 'text/css; charset=utf-8' ;;
    *.json | *.map) echo 'application/json' ;;
    *.webmanifest) echo 'application/manifest+json' ;;
    *.svg) echo 'image/svg+xml' ;;
    *.png) echo 'image/png' ;;
    *.jpg | *.jpeg) echo 'image/jpeg' ;;
    *.gif) echo 'image/gif' ;;
    *.webp) echo 'image/webp' ;;
    *.ico) echo 'image/x-icon' ;;
    *.woff2) echo 'font/woff2' ;;
    *.woff) echo 'font/woff' ;;
    *.txt) echo 'text/plain; charset=utf-8' ;;
    *) echo 'application/octet-stream' ;;
  esac
}

# Pages and config.js must be revalidated so a deploy shows at once; the rest is long-cached.
cache_control_for() {
  case $1 in
    *.html | *.htm | config.js) echo 'no-cache' ;;
    *) echo 'public, max-age=31536000, immutable' ;;
  esac
}

# Lists the page's files, long-cached assets first and index.html last, so a new page never
# references an asset that is not uploaded yet.
upload_order() {
  local dir=$1
  (cd "$dir" && find . -type f ! -name '.*' | sed 's|^\./||' | LC_ALL=C sort) |
    awk '{ rank = ($0 == "index.html") ? 2 : ($0 ~ /\.html?$/ || $0 == "config.js") ? 1 : 0; print rank "\t" $0 }' |
    LC_ALL=C sort -s -k1,1n | cut -f2-
}

upload_frontend() {
  local bucket staging key
  [[ -d $FRONTEND_DIR ]] || die "no page at $FRONTEND_DIR"
  bucket=${BUCKET:-$(output_value "$COMPONENT_FRONTEND" "$OUTPUT_BUCKET")}
  staging="$WORK_DIR/frontend"
  mkdir -p "$staging"
  # A copy, so writing the deployed config.js never touches the work tree.
  cp -R "$FRONTEND_DIR/." "$staging/"
  printf '// Written by deploy.sh: the page reaches the API through CloudFront on the same origin.\nwindow.COUNT_PIPELINE_CONFIG = { apiBase: "%s" };\n' \
    "$API_BASE" >"$staging/config.js"
  say "Uploading the page to s3://$bucket"
  while IFS= read -r key; do
    aws_cli s3 cp "$staging/$key" "s3://$bucket/$key" --only-show-errors \
      --content-type "$(content_type_for "$key")" --cache-control "$(cache_control_for "$key")"
  done < <(upload_order "$staging")
}

invalidate_cdn() {
  local distribution invalidation
  if [[ $SKIP_INVALIDATION == true ]]; then
    say "Skipping the CloudFront invalidation (--skip-invalidation)"
    return
  fi
  distribution=${DISTRIBUTION_ID:-$(output_value "$COMPONENT_FRONTEND" "$OUTPUT_DISTRIBUTION_ID")}
  say "Invalidating CloudFront distribution $distribution"
  # "/*" counts as one path; unversioned asset names need their edge copies refreshed too.
  invalidation=$(aws_cli cloudfront create-invalidation --distribution-id "$distribution" \
    --paths '/*' --query 'Invalidation.Id' --output text)
  [[ $DRY_RUN == false ]] || invalidation=RESULT:create-invalidation.Id
  wait_for_invalidation "$distribution" "$invalidation"
}

# Polls instead of `aws cloudfront wait invalidation-completed`: that waiter matches the status
# "Completed" exactly, and emulators such as moto answer "COMPLETED", so it would never return.
wait_for_invalidation() {
  local distribution=$1 invalidation=$2 status
  local deadline=$((SECONDS + ${INVALIDATION_TIMEOUT_SECONDS:-900}))
  while :; do
    status=$(aws_cli cloudfront get-invalidation --distribution-id "$distribution" --id "$invalidation" \
      --query Invalidation.Status --output text)
    [[ $DRY_RUN == false && ${status,,} != completed ]] || break
    ((SECONDS < deadline)) || die "CloudFront invalidation $invalidation still '$status' after the time limit"
    sleep 10
  done
}

# ---- Smoke test -----------------------------------------------------------------------------
# Prints the status code; the body goes to the file named by $1.
http() {
  local body_file=$1
  shift
  curl --silent --show-error --max-time 10 --output "$body_file" --write-out '%{http_code}' "$@"
}

expect_status() {
  local want=$1 what=$2 got
  shift 2
  got=$(http "$WORK_DIR/body" "$@") || got="no answer"
  [[ $got == "$want" ]] || die "smoke: $what answered $got, expected $want: $(head -c 300 "$WORK_DIR/body" 2>/dev/null)"
  jq -e . "$WORK_DIR/body" >/dev/null 2>&1 || [[ $what == "GET /" ]] || die "smoke: $what did not answer JSON"
  say "smoke: $what -> $got"
}

action_smoke() {
  local base value before after deadline
  base=${BASE_URL:-https://$(output_value "$COMPONENT_FRONTEND" "$OUTPUT_DISTRIBUTION_DOMAIN")}
  say "Smoke test of $base"
  if [[ $DRY_RUN == true ]]; then
    show curl "$base/" >&2
    show curl "$base$API_BASE/health" >&2
    show curl -X POST -H 'Content-Type: application/json' --data '{"count": <n>}' "$base$API_BASE/count" >&2
    show curl "$base$API_BASE/count" >&2
    return
  fi
  # A fresh deployment may need a little while before CloudFront and the targets answer.
  curl --silent --output /dev/null --retry 12 --retry-delay 5 --retry-all-errors --max-time 10 "$base$API_BASE/health" || true
  expect_status 200 "GET /" "$base/"
  expect_status 200 "GET $API_BASE/health" "$base$API_BASE/health"
  jq -e '.status == "healthy"' "$WORK_DIR/body" >/dev/null || die "smoke: /health is not healthy"
  expect_status 200 "GET $API_BASE/count" "$base$API_BASE/count"
  before=$(jq -e '.rows_count' "$WORK_DIR/body") || die "smoke: GET /count has no rows_count"
  value=$(date +%s)
  expect_status 201 "POST $API_BASE/count" -X POST -H 'Content-Type: application/json' \
    --data "{\"count\": $value}" "$base$API_BASE/count"
  # The row appears once a Consumer has taken the message off the queue.
  deadline=$((SECONDS + ${SMOKE_TIMEOUT_SECONDS:-60}))
  while :; do
    expect_status 200 "GET $API_BASE/count" "$base$API_BASE/count"
    after=$(jq -e '.rows_count' "$WORK_DIR/body") || die "smoke: GET /count has no rows_count"
    ((after > before)) && break
    ((SECONDS < deadline)) || die "smoke: the posted value never reached the database (rows_count stayed $after)"
    sleep 2
  done
  say "smoke: passed (rows_count $before -> $after)"
}

# ---- Actions --------------------------------------------------------------------------------
action_plan() {
  export_image_tag
  terragrunt_all plan
}

action_destroy() {
  export_image_tag
  terragrunt_all destroy
}

action_outputs() {
  local unit component all='{}'
  for unit in "$ENV_DIR"/*/terragrunt.hcl; do
    [[ -e $unit ]] || continue
    component=$(basename "$(dirname "$unit")")
    all=$(jq -c --arg c "$component" --argjson o "$(component_outputs "$component")" \
      '. + {($c): ($o | map_values(.value))}' <<<"$all")
  done
  jq . <<<"$all"
}

action_frontend() {
  upload_frontend
  invalidate_cdn
}

action_apply() {
  IMAGE_TAG=${IMAGE_TAG:-$(default_image_tag)}
  say "Deploying image tag $IMAGE_TAG to '$ENV_NAME'"
  # The repositories must exist before the first push; everything else needs the image.
  terragrunt_unit "$COMPONENT_ECR" apply -auto-approve
  build_and_push_image
  export_image_tag
  terragrunt_all apply
  run_db_setup
  action_frontend
  action_smoke
}

main() {
  parse_args "$@"
  readonly ENV_DIR="$REPO_ROOT/terraform/live/$ENV_NAME"
  resolve_region
  confirm_if_needed
  check_prerequisites
  # Terragrunt, Terraform and the AWS CLI all read these.
  export AWS_REGION="$REGION" AWS_DEFAULT_REGION="$REGION"
  [[ -z $PROFILE ]] || export AWS_PROFILE="$PROFILE"
  WORK_DIR=$(mktemp -d "${TMPDIR:-/tmp}/deploy.XXXXXX")
  trap 'rm -rf "$WORK_DIR"' EXIT
  [[ $DRY_RUN == false ]] || say "Dry run: printing commands, running none"
  "action_$ACTION"
}

main "$@"
