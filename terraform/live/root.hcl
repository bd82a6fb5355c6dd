# Included by every unit: versions, the AWS provider and the S3 state backend.
# Environments live in <env>/env.hcl, what every environment shares per component in _common/,
# and each unit's terragrunt.hcl says only what differs for it.

terragrunt_version_constraint = "~> 1.0"
terraform_version_constraint  = ">= 1.11"

locals {
  env = read_terragrunt_config(find_in_parent_folders("env.hcl")).locals

  # The tags of both provider configurations below.
  default_tags = <<-EOT
    default_tags {
      tags = {
        Project     = "count-pipeline"
        Environment = "${local.env.environment}"
        Component   = "${basename(get_terragrunt_dir())}"
        ManagedBy   = "terragrunt"
      }
    }
  EOT
}

# One state bucket per account and region; S3-native locking (use_lockfile) replaces DynamoDB.
# First use on a fresh account: `terragrunt run --all --backend-bootstrap -- plan` creates it.
remote_state {
  backend = "s3"

  generate = {
    path      = "backend.tf"
    if_exists = "overwrite_terragrunt"
  }

  config = {
    bucket       = "count-pipeline-tfstate-${get_aws_account_id()}-${local.env.aws_region}"
    key          = "${path_relative_to_include()}/terraform.tfstate"
    region       = local.env.aws_region
    encrypt      = true
    use_lockfile = true
  }
}

generate "provider" {
  path      = "provider.tf"
  if_exists = "overwrite_terragrunt"
  contents  = <<-EOT
    provider "aws" {
      region = "${local.env.aws_region}"

      ${indent(2, local.default_tags)}
    }

    # What CloudFront's scope needs in us-east-1 (the waf module's web ACL and its log group).
    provider "aws" {
      alias  = "us_east_1"
      region = "us-east-1"

      ${indent(2, local.default_tags)}
    }
  EOT
}
