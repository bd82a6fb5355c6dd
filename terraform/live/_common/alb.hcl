locals {
  env = read_terragrunt_config(find_in_parent_folders("env.hcl")).locals
  app = read_terragrunt_config(find_in_parent_folders("app.hcl")).locals
}

terraform {
  source = "${dirname(find_in_parent_folders("root.hcl"))}/../modules//alb"
}

dependency "vpc" {
  config_path = "${get_terragrunt_dir()}/../vpc"

  mock_outputs = {
    vpc_id            = "vpc-0123456789abcdef0"
    public_subnet_ids = ["subnet-0123456789abcdef5", "subnet-0123456789abcdef6"]
  }
  mock_outputs_allowed_terraform_commands = ["validate", "plan"]
}

dependency "security_groups" {
  config_path = "${get_terragrunt_dir()}/../security-groups"

  mock_outputs = {
    alb_security_group_id = "sg-0123456789abcdef0"
  }
  mock_outputs_allowed_terraform_commands = ["validate", "plan"]
}

inputs = {
  name                = local.env.name_prefix
  vpc_id              = dependency.vpc.outputs.vpc_id
  public_subnet_ids   = dependency.vpc.outputs.public_subnet_ids
  security_group_id   = dependency.security_groups.outputs.alb_security_group_id
  target_port         = local.app.producer_port
  health_check_port   = local.app.producer_ops_port
  certificate_arn     = local.env.api_certificate_arn
  deletion_protection = local.env.deletion_protection
}
