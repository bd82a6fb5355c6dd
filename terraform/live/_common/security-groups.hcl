locals {
  env = read_terragrunt_config(find_in_parent_folders("env.hcl")).locals
  app = read_terragrunt_config(find_in_parent_folders("app.hcl")).locals
}

terraform {
  source = "${dirname(find_in_parent_folders("root.hcl"))}/../modules//security-groups"
}

dependency "vpc" {
  config_path = "${get_terragrunt_dir()}/../vpc"

  mock_outputs = {
    vpc_id         = "vpc-0123456789abcdef0"
    vpc_cidr_block = "10.0.0.0/16"
  }
  mock_outputs_allowed_terraform_commands = ["validate", "plan"]
}

inputs = {
  name          = local.env.name_prefix
  vpc_id        = dependency.vpc.outputs.vpc_id
  producer_port = local.app.producer_port
  # The operations port is open to the VPC (Prometheus, the ALB's health checks), never to CloudFront.
  producer_ops_port = local.app.producer_ops_port
  vpc_cidr_block    = dependency.vpc.outputs.vpc_cidr_block
  # HTTPS only when the ALB has a certificate for a custom API origin name (see env.hcl).
  alb_listener_port = local.env.api_certificate_arn == null ? 80 : 443
}
