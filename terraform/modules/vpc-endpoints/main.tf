data "aws_region" "current" {}

# Interface endpoints with private DNS: the services' usual names (secretsmanager.<region>.amazonaws.com)
# resolve to addresses inside the VPC, so the programs and the rotation function reach them
# without the NAT gateway and without any setting of their own.
resource "aws_vpc_endpoint" "this" {
  for_each = var.create ? var.services : toset([])

  vpc_id              = var.vpc_id
  service_name        = "com.amazonaws.${data.aws_region.current.id}.${each.key}"
  vpc_endpoint_type   = "Interface"
  private_dns_enabled = true
  subnet_ids          = var.subnet_ids
  security_group_ids  = [var.security_group_id]

  tags = { Name = "${var.name}-${each.key}" }
}
