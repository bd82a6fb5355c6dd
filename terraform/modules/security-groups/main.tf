# CloudFront's origin-facing addresses, maintained by AWS.
data "aws_ec2_managed_prefix_list" "cloudfront" {
  name = "com.amazonaws.global.cloudfront.origin-facing"
}

locals {
  groups = {
    alb      = "ALB: HTTP(S) from CloudFront's origin-facing addresses only"
    producer = "Producer tasks: the API port from the ALB only, the operations port from inside the VPC"
    consumer = "Consumer tasks: no inbound traffic"
    redis    = "ElastiCache: the Redis port from the Producer and Consumer only"
    db       = "RDS: the database port from the Producer, the Consumer and the rotation function only"
    # The rotation function of the programs' database secrets (modules/rds, stage and prod).
    db_rotation = "DB secret rotation function: the database port and the Secrets Manager endpoint only"
    # The Secrets Manager interface endpoint (modules/vpc-endpoints), where an environment has one.
    secretsmanager_endpoint = "Secrets Manager endpoint: HTTPS from the tasks and the rotation function only"
  }

  # Every allowed flow between the groups, one row each: an egress rule on the source and an
  # ingress rule on the target are made from the same row, so the two sides cannot drift.
  flows = {
    alb_to_producer   = { from = "alb", to = "producer", port = var.producer_port }
    alb_health_checks = { from = "alb", to = "producer", port = var.producer_ops_port }
    producer_to_redis = { from = "producer", to = "redis", port = var.redis_port }
    consumer_to_redis = { from = "consumer", to = "redis", port = var.redis_port }
    producer_to_db    = { from = "producer", to = "db", port = var.db_port }
    consumer_to_db    = { from = "consumer", to = "db", port = var.db_port }
    db_rotation_to_db = { from = "db_rotation", to = "db", port = var.db_port }

    # The programs read DB_SECRET and REDIS_SECRET themselves; the rotation function reads and writes the secrets.
    producer_to_secretsmanager    = { from = "producer", to = "secretsmanager_endpoint", port = 443 }
    consumer_to_secretsmanager    = { from = "consumer", to = "secretsmanager_endpoint", port = 443 }
    db_rotation_to_secretsmanager = { from = "db_rotation", to = "secretsmanager_endpoint", port = 443 }
  }

  tasks = toset(["producer", "consumer"])
}

resource "aws_security_group" "this" {
  #checkov:skip=CKV2_AWS_5:The groups are attached by the alb, ecs-service, redis and rds modules, which checkov scans separately.
  for_each = local.groups

  name        = "${var.name}-${each.key}"
  description = each.value
  vpc_id      = var.vpc_id

  tags = { Name = "${var.name}-${each.key}" }

  lifecycle {
    create_before_destroy = true
  }
}

resource "aws_vpc_security_group_ingress_rule" "flow" {
  for_each = local.flows

  security_group_id            = aws_security_group.this[each.value.to].id
  referenced_security_group_id = aws_security_group.this[each.value.from].id
  ip_protocol                  = "tcp"
  from_port                    = each.value.port
  to_port                      = each.value.port
  description                  = "From ${each.value.from}"
}

resource "aws_vpc_security_group_egress_rule" "flow" {
  for_each = local.flows

  security_group_id            = aws_security_group.this[each.value.from].id
  referenced_security_group_id = aws_security_group.this[each.value.to].id
  ip_protocol                  = "tcp"
  from_port                    = each.value.port
  to_port                      = each.value.port
  description                  = "To ${each.value.to}"
}

# /metrics, /ready and /health of the Producer's operations port: for Prometheus and other machines
# of the VPC. CloudFront never reaches it: it talks to the ALB, which forwards the API port only.
resource "aws_vpc_security_group_ingress_rule" "producer_operations_from_vpc" {
  security_group_id = aws_security_group.this["producer"].id
  cidr_ipv4         = var.vpc_cidr_block
  ip_protocol       = "tcp"
  from_port         = var.producer_ops_port
  to_port           = var.producer_ops_port
  description       = "Operations port (OPS_HTTP_PORT) from inside the VPC"
}

resource "aws_vpc_security_group_ingress_rule" "alb_from_cloudfront" {
  #checkov:skip=CKV_AWS_260:The source is CloudFront's managed origin-facing prefix list, not 0.0.0.0/0; port 80 is used only when no custom domain gives the ALB a certificate.
  security_group_id = aws_security_group.this["alb"].id
  prefix_list_id    = data.aws_ec2_managed_prefix_list.cloudfront.id
  ip_protocol       = "tcp"
  from_port         = var.alb_listener_port
  to_port           = var.alb_listener_port
  description       = "CloudFront origin-facing addresses"
}

# The tasks reach ECR and CloudWatch Logs over HTTPS through the NAT gateway, and Secrets Manager
# through it too where the environment has no Secrets Manager endpoint (test, dev).
resource "aws_vpc_security_group_egress_rule" "tasks_to_aws_apis" {
  for_each = local.tasks

  security_group_id = aws_security_group.this[each.key].id
  cidr_ipv4         = "0.0.0.0/0"
  ip_protocol       = "tcp"
  from_port         = 443
  to_port           = 443
  description       = "HTTPS to AWS APIs (ECR, CloudWatch Logs, Secrets Manager)"
}
