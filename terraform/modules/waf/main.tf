locals {
  rate_rule_name = "post-count-per-ip"
}

resource "aws_wafv2_web_acl" "this" {
  count    = var.create ? 1 : 0
  provider = aws.us_east_1

  name        = var.name
  description = "count-pipeline ${var.name}: POST /api/count per client IP, AWS managed common and known-bad-inputs rules"
  scope       = "CLOUDFRONT"

  default_action {
    allow {}
  }

  # The same JSON shape as every error of the API, so the dashboard explains it like the others.
  custom_response_body {
    key          = "rate_limited"
    content_type = "APPLICATION_JSON"
    content      = jsonencode({ error = "rate_limited", message = "too many values from this address; wait a minute before sending again" })
  }

  # Evaluated first: a flood of writes is refused before the managed rules spend time on it.
  rule {
    name     = local.rate_rule_name
    priority = 0

    action {
      block {
        custom_response {
          response_code            = 429
          custom_response_body_key = "rate_limited"

          response_header {
            name  = "Retry-After"
            value = tostring(var.evaluation_window_seconds)
          }
        }
      }
    }

    statement {
      rate_based_statement {
        limit                 = var.post_count_limit
        aggregate_key_type    = "IP"
        evaluation_window_sec = var.evaluation_window_seconds

        # Only the write: reads and the page are CloudFront's and S3's to serve.
        scope_down_statement {
          and_statement {
            statement {
              byte_match_statement {
                search_string         = var.count_path
                positional_constraint = "EXACTLY"

                field_to_match {
                  uri_path {}
                }

                text_transformation {
                  priority = 0
                  type     = "LOWERCASE"
                }
              }
            }

            statement {
              byte_match_statement {
                search_string         = "POST"
                positional_constraint = "EXACTLY"

                field_to_match {
                  method {}
                }

                text_transformation {
                  priority = 0
                  type     = "NONE"
                }
              }
            }
          }
        }
      }
    }

    visibility_config {
      cloudwatch_metrics_enabled = true
      metric_name                = "${var.name}-${local.rate_rule_name}"
      sampled_requests_enabled   = true
    }
  }

  # OWASP-style protections: bad bots' user agents, oversized bodies, traversal, XSS, ...
  rule {
    name     = "AWSManagedRulesCommonRuleSet"
    priority = 1

    override_action {
      none {}
    }

    statement {
      managed_rule_group_statement {
        vendor_name = "AWS"
        name        = "AWSManagedRulesCommonRuleSet"
      }
    }

    visibility_config {
      cloudwatch_metrics_enabled = true
      metric_name                = "${var.name}-common"
      sampled_requests_enabled   = true
    }
  }

  # Request patterns known to exploit vulnerabilities, Log4j (CVE-2021-44228) among them.
  rule {
    name     = "AWSManagedRulesKnownBadInputsRuleSet"
    priority = 2

    override_action {
      none {}
    }

    statement {
      managed_rule_group_statement {
        vendor_name = "AWS"
        name        = "AWSManagedRulesKnownBadInputsRuleSet"
      }
    }

    visibility_config {
      cloudwatch_metrics_enabled = true
      metric_name                = "${var.name}-known-bad-inputs"
      sampled_requests_enabled   = true
    }
  }

  visibility_config {
    cloudwatch_metrics_enabled = true
    metric_name                = var.name
    sampled_requests_enabled   = true
  }
}

# WAF delivers the logs of a CloudFront web ACL only to a log group in us-east-1 whose name starts
# with aws-waf-logs-.
resource "aws_cloudwatch_log_group" "this" {
  #checkov:skip=CKV_AWS_158:The logs hold request metadata with the Authorization header redacted; CloudWatch's default server-side encryption suffices and avoids a customer-managed key per environment.
  #checkov:skip=CKV_AWS_338:Retention is an input (log_retention_days); non-production environments deliberately keep less than a year.
  count    = var.create ? 1 : 0
  provider = aws.us_east_1

  name              = "aws-waf-logs-${var.name}"
  retention_in_days = var.log_retention_days
}

data "aws_caller_identity" "current" {}

# Lets the log delivery service write this ACL's logs, and nothing else's, into the group.
data "aws_iam_policy_document" "delivery" {
  count = var.create ? 1 : 0

  statement {
    sid       = "WafLogDelivery"
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents"]
    resources = ["${aws_cloudwatch_log_group.this[0].arn}:*"]

    principals {
      type        = "Service"
      identifiers = ["delivery.logs.amazonaws.com"]
    }

    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [data.aws_caller_identity.current.account_id]
    }

    condition {
      test     = "ArnLike"
      variable = "aws:SourceArn"
      values   = [aws_wafv2_web_acl.this[0].arn]
    }
  }
}

resource "aws_cloudwatch_log_resource_policy" "delivery" {
  count    = var.create ? 1 : 0
  provider = aws.us_east_1

  policy_name     = "aws-waf-logs-${var.name}"
  policy_document = data.aws_iam_policy_document.delivery[0].json
}

resource "aws_wafv2_web_acl_logging_configuration" "this" {
  count    = var.create ? 1 : 0
  provider = aws.us_east_1

  resource_arn            = aws_wafv2_web_acl.this[0].arn
  log_destination_configs = [aws_cloudwatch_log_group.this[0].arn]

  # The write token travels in Authorization: it never reaches a log.
  redacted_fields {
    single_header {
      name = "authorization"
    }
  }

  depends_on = [aws_cloudwatch_log_resource_policy.delivery]
}
