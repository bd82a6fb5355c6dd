locals {
  env = read_terragrunt_config(find_in_parent_folders("env.hcl")).locals
}

terraform {
  source = "${dirname(find_in_parent_folders("root.hcl"))}/../modules//waf"
}

# The web ACL is created in us-east-1 (CloudFront's scope) through root.hcl's aws.us_east_1
# provider, whatever the environment's own region.
inputs = {
  name               = local.env.name_prefix
  create             = local.env.waf_enabled
  post_count_limit   = local.env.waf_post_count_limit_per_minute
  log_retention_days = local.env.log_retention_days
}
