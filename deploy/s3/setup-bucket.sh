#!/usr/bin/env bash
# Creates and configures a bucket for seed §6, corrected for WORM (docs/operations.md "Buckets"):
#   deploy/s3/setup-bucket.sh worm|backup BUCKET
#     worm    audit packages and audit checkpoints: Object Lock COMPLIANCE, default 10 years
#     backup  the pgBackRest repository: Object Lock COMPLIANCE, default 14 days (its retention)
# Each step is one `aws s3api` call with a JSON file from this directory: create the bucket WITH
# Object Lock (it cannot be switched on later on every store), versioning on, the default retention,
# the TLS-only bucket policy, the lifecycle, public access blocked; then it reads versioning and the
# lock back and fails unless they are what was asked. Any S3 endpoint: the aws CLI's own settings
# (AWS_ENDPOINT_URL, AWS_REGION/--region, credentials). The IAM policies (iam-*.json) are attached by
# the account's administrator to the three identities; this script does not create identities.
# Settings (environment):
#   AWS          the aws CLI (default: aws on PATH)
#   SKIP_STEPS   comma-separated steps a store does not implement (policy, lifecycle, public-access);
#                named on stderr as skipped — never silently. AWS S3 implements all of them.
# Exit: 0 configured and read back, 1 a step failed (named), 64 usage.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
AWS=${AWS:-aws}
usage() { echo "usage: deploy/s3/setup-bucket.sh worm|backup BUCKET" >&2; exit 64; }
[ $# -eq 2 ] || usage
kind=$1 bucket=$2
case "$kind" in worm|backup) ;; *) usage ;; esac
# S3 bucket names: 3-63 of a-z 0-9 . -, starting and ending with a letter or digit.
[[ "$bucket" =~ ^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$ ]] || { echo "setup-bucket.sh: '$bucket' is not a valid S3 bucket name" >&2; exit 64; }
command -v "$AWS" >/dev/null || { echo "setup-bucket.sh: the aws CLI is needed (pip install awscli, or set AWS)" >&2; exit 1; }
skip=",${SKIP_STEPS:-},"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
render() { sed "s/@BUCKET@/$bucket/g" "$here/$1" > "$work/$1"; echo "file://$work/$1"; }

step() {   # step NAME COMMAND...: runs one call, names it when it fails
    local name=$1; shift
    if [[ "$skip" == *",$name,"* ]]; then echo "setup-bucket.sh: $name: SKIPPED (SKIP_STEPS)" >&2; return 0; fi
    local out
    if ! out=$("$@" 2>&1); then echo "setup-bucket.sh: $name failed: $(echo "$out" | tr '\n' ' ')" >&2; exit 1; fi
    echo "setup-bucket.sh: $name: ok" >&2
}

region=${AWS_REGION:-${AWS_DEFAULT_REGION:-}}
create=("$AWS" s3api create-bucket --bucket "$bucket" --object-lock-enabled-for-bucket)
if [ -n "$region" ] && [ "$region" != us-east-1 ]; then
    create+=(--create-bucket-configuration "LocationConstraint=$region")
fi
step create "${create[@]}"
step versioning "$AWS" s3api put-bucket-versioning --bucket "$bucket" --versioning-configuration "$(render versioning.json)"
step object-lock "$AWS" s3api put-object-lock-configuration --bucket "$bucket" --object-lock-configuration "$(render "$kind-object-lock.json")"
step policy "$AWS" s3api put-bucket-policy --bucket "$bucket" --policy "$(render tls-only-policy.json)"
step lifecycle "$AWS" s3api put-bucket-lifecycle-configuration --bucket "$bucket" --lifecycle-configuration "$(render "$kind-lifecycle.json")"
step public-access "$AWS" s3api put-public-access-block --bucket "$bucket" \
    --public-access-block-configuration BlockPublicAcls=true,IgnorePublicAcls=true,BlockPublicPolicy=true,RestrictPublicBuckets=true

# Read back what WORM depends on.
versioning=$("$AWS" s3api get-bucket-versioning --bucket "$bucket" --query Status --output text)
[ "$versioning" = Enabled ] || { echo "setup-bucket.sh: versioning reads back as '$versioning', not Enabled" >&2; exit 1; }
lock=$("$AWS" s3api get-object-lock-configuration --bucket "$bucket" --output json)
expected=$(python3 -c 'import json,sys; print(json.dumps(json.load(open(sys.argv[1])), sort_keys=True))' "$here/$kind-object-lock.json")
actual=$(echo "$lock" | python3 -c 'import json,sys; print(json.dumps(json.load(sys.stdin)["ObjectLockConfiguration"], sort_keys=True))')
[ "$actual" = "$expected" ] || { echo "setup-bucket.sh: the lock reads back as $actual, not $expected" >&2; exit 1; }
echo "setup-bucket.sh: $bucket ($kind): versioning Enabled, lock $actual" >&2
