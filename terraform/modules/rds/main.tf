locals {
  # The current long-term releases on RDS (November 2026): MariaDB 11.4 and MySQL 8.4 LTS.
  default_engine_version = { mariadb = "11.4", mysql = "8.4" }
  engine_version         = coalesce(var.engine_version, local.default_engine_version[var.engine])
  # RDS names parameter group families after the engine and its major.minor version: mariadb11.4, mysql8.4.
  parameter_group_family = "${var.engine}${join(".", slice(split(".", local.engine_version), 0, 2))}"
}

resource "aws_db_subnet_group" "this" {
  name       = var.name
  subnet_ids = var.subnet_ids
}

# Connections without TLS are refused unless require_secure_transport is turned off.
resource "aws_db_parameter_group" "this" {
  name_prefix = "${var.name}-${var.engine}-"
  family      = local.parameter_group_family

  parameter {
    name  = "require_secure_transport"
    value = var.require_secure_transport ? "1" : "0"
  }

  lifecycle {
    create_before_destroy = true
  }
}

resource "aws_db_instance" "this" {
  #checkov:skip=CKV_AWS_354:Performance Insights data is encrypted with the RDS service key; a customer-managed key adds cost without changing who can read it.
  identifier     = var.name
  engine         = var.engine
  engine_version = local.engine_version
  instance_class = var.instance_class

  allocated_storage     = var.allocated_storage_gb
  max_allocated_storage = var.max_allocated_storage_gb
  storage_type          = "gp3"
  storage_encrypted     = true

  # RDS owns the master password: it lives in a Secrets Manager secret RDS rotates (every 7 days).
  # Only the one-off `Consumer db-setup` task and the rotation function read it; the programs use
  # their own users.
  username                    = var.master_username
  manage_master_user_password = true

  db_subnet_group_name   = aws_db_subnet_group.this.name
  vpc_security_group_ids = [var.security_group_id]
  parameter_group_name   = aws_db_parameter_group.this.name
  publicly_accessible    = false
  multi_az               = var.multi_az

  backup_retention_period   = var.backup_retention_days
  backup_window             = "02:00-03:00"
  maintenance_window        = "sun:03:30-sun:04:30"
  copy_tags_to_snapshot     = true
  deletion_protection       = var.deletion_protection
  skip_final_snapshot       = !var.deletion_protection
  final_snapshot_identifier = var.deletion_protection ? "${var.name}-final" : null

  auto_minor_version_upgrade      = true
  apply_immediately               = var.apply_immediately
  enabled_cloudwatch_logs_exports = ["error", "slowquery"]

  performance_insights_enabled          = var.performance_insights
  performance_insights_retention_period = var.performance_insights ? 7 : null
  monitoring_interval                   = var.enhanced_monitoring_interval
  monitoring_role_arn                   = var.enhanced_monitoring_interval > 0 ? aws_iam_role.monitoring[0].arn : null
}

data "aws_iam_policy_document" "monitoring_assume" {
  statement {
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["monitoring.rds.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "monitoring" {
  count = var.enhanced_monitoring_interval > 0 ? 1 : 0

  name               = "${var.name}-rds-monitoring"
  assume_role_policy = data.aws_iam_policy_document.monitoring_assume.json
}

resource "aws_iam_role_policy_attachment" "monitoring" {
  count = var.enhanced_monitoring_interval > 0 ? 1 : 0

  role       = aws_iam_role.monitoring[0].name
  policy_arn = "arn:aws:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole"
}
