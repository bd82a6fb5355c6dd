locals {
  env = read_terragrunt_config(find_in_parent_folders("env.hcl")).locals
}

terraform {
  source = "${dirname(find_in_parent_folders("root.hcl"))}/../modules//frontend"
}

dependency "alb" {
  config_path = "${get_terragrunt_dir()}/../alb"

  mock_outputs = {
    dns_name            = "count-mock-123456789.eu-west-1.elb.amazonaws.com"
    listener_protocol   = "HTTP"
    origin_header_name  = "X-Origin-Verify"
    origin_header_value = "mock-origin-secret-0123456789abcdef0123456789"
  }
  mock_outputs_allowed_terraform_commands = ["validate", "plan"]
}

dependency "waf" {
  config_path = "${get_terragrunt_dir()}/../waf"

  mock_outputs = {
    web_acl_arn = "arn:aws:wafv2:us-east-1:123456789012:global/webacl/count-mock/01234567-89ab-cdef-0123-456789abcdef"
  }
  mock_outputs_allowed_terraform_commands = ["validate", "plan"]
}

inputs = {
  name        = local.env.name_prefix
  bucket_name = "${local.env.name_prefix}-page-${get_aws_account_id()}"
  # A custom API name (on the ALB's certificate) lets CloudFront use HTTPS to the origin.
  api_origin_domain_name = coalesce(local.env.api_domain_name, dependency.alb.outputs.dns_name)
  api_origin_protocol    = dependency.alb.outputs.listener_protocol
  origin_header_name     = dependency.alb.outputs.origin_header_name
  origin_header_value    = dependency.alb.outputs.origin_header_value
  force_destroy          = !local.env.deletion_protection
  # null where the environment leaves WAF off (waf_enabled = false).
  web_acl_arn = dependency.waf.outputs.web_acl_arn
}
