data "aws_cloudfront_cache_policy" "caching_optimized" {
  name = "Managed-CachingOptimized"
}

data "aws_cloudfront_cache_policy" "caching_disabled" {
  name = "Managed-CachingDisabled"
}

# Forwards every viewer header, cookie and query string except Host, so the ALB sees its own name.
data "aws_cloudfront_origin_request_policy" "all_viewer_except_host" {
  name = "Managed-AllViewerExceptHostHeader"
}

locals {
  s3_origin_id  = "page"
  api_origin_id = "api"
  custom_domain = length(var.aliases) > 0
}

# The browser protections of the page and the API answers: the Producer's own policy (its
# SecurityHeadersMiddleware) repeated at the edge, plus HSTS, which only HTTPS can carry.
resource "aws_cloudfront_response_headers_policy" "security_headers" {
  #checkov:skip=CKV_AWS_259:HSTS is on with a year's max-age; includeSubDomains is an input (hsts_include_subdomains) and preload stays off, because both commit every subdomain of a custom domain to HTTPS, the domain owner's decision.
  name    = "${var.name}-security-headers"
  comment = "count-pipeline ${var.name}: CSP to the page's own origin, no framing, nosniff, HSTS"

  security_headers_config {
    content_security_policy {
      content_security_policy = var.content_security_policy
      override                = true
    }

    content_type_options {
      override = true
    }

    frame_options {
      frame_option = "DENY"
      override     = true
    }

    referrer_policy {
      referrer_policy = "strict-origin-when-cross-origin"
      override        = true
    }

    strict_transport_security {
      access_control_max_age_sec = var.hsts_max_age_seconds
      include_subdomains         = var.hsts_include_subdomains
      preload                    = false
      override                   = true
    }
  }
}

# Every /api/ path that is not one of the public routes is answered here, at the edge: the ALB,
# and the operations routes behind it, never see it.
resource "aws_cloudfront_function" "api_not_found" {
  name    = "${var.name}-api-not-found"
  runtime = "cloudfront-js-2.0"
  comment = "JSON 404 for /api/ paths that are not public routes"
  publish = true
  code    = file("${path.module}/api_not_found.js")
}

resource "aws_cloudfront_origin_access_control" "this" {
  name                              = "${var.name}-page"
  description                       = "CloudFront signs its requests to the page bucket"
  origin_access_control_origin_type = "s3"
  signing_behavior                  = "always"
  signing_protocol                  = "sigv4"
}

resource "aws_cloudfront_distribution" "this" {
  #checkov:skip=CKV2_AWS_47:The web ACL comes from the waf module through web_acl_arn (on in stage and prod); its known-bad-inputs rule group covers Log4j, which checkov cannot see across modules.
  #checkov:skip=CKV_AWS_86:Standard logs need a log bucket with ACLs enabled; left to the account's central logging, CloudWatch metrics and the ALB/ECS logs cover operations.
  #checkov:skip=CKV_AWS_310:Origin failover needs a second region's origin; the page bucket and API are single-region by design.
  #checkov:skip=CKV_AWS_374:The dashboard has no geographic restriction requirement.
  enabled             = true
  is_ipv6_enabled     = true
  comment             = "count-pipeline ${var.name}: page from S3, /api/* from the ALB"
  default_root_object = "index.html"
  price_class         = var.price_class
  aliases             = var.aliases
  web_acl_id          = var.web_acl_arn
  http_version        = "http2and3"

  origin {
    origin_id                = local.s3_origin_id
    domain_name              = aws_s3_bucket.this.bucket_regional_domain_name
    origin_access_control_id = aws_cloudfront_origin_access_control.this.id
  }

  origin {
    origin_id   = local.api_origin_id
    domain_name = var.api_origin_domain_name

    # The ALB lets a request through only with this header (see the alb module).
    custom_header {
      name  = var.origin_header_name
      value = var.origin_header_value
    }

    custom_origin_config {
      http_port                = 80
      https_port               = 443
      origin_protocol_policy   = var.api_origin_protocol == "HTTPS" ? "https-only" : "http-only"
      origin_ssl_protocols     = ["TLSv1.2"]
      origin_read_timeout      = 30
      origin_keepalive_timeout = 5
    }
  }

  default_cache_behavior {
    target_origin_id           = local.s3_origin_id
    allowed_methods            = ["GET", "HEAD", "OPTIONS"]
    cached_methods             = ["GET", "HEAD"]
    viewer_protocol_policy     = "redirect-to-https"
    compress                   = true
    cache_policy_id            = data.aws_cloudfront_cache_policy.caching_optimized.id
    response_headers_policy_id = aws_cloudfront_response_headers_policy.security_headers.id
  }

  # Only the public routes reach the ALB, one behaviour each (exact paths: /api/count/x is not one).
  dynamic "ordered_cache_behavior" {
    for_each = var.public_api_paths

    content {
      path_pattern               = ordered_cache_behavior.value
      target_origin_id           = local.api_origin_id
      allowed_methods            = ["GET", "HEAD", "OPTIONS", "PUT", "POST", "PATCH", "DELETE"]
      cached_methods             = ["GET", "HEAD"]
      viewer_protocol_policy     = "https-only"
      compress                   = true
      cache_policy_id            = data.aws_cloudfront_cache_policy.caching_disabled.id
      origin_request_policy_id   = data.aws_cloudfront_origin_request_policy.all_viewer_except_host.id
      response_headers_policy_id = aws_cloudfront_response_headers_policy.security_headers.id
    }
  }

  # The rest of /api/* (/api/metrics, /api/ready, typos, probes) gets a JSON 404 from the edge.
  ordered_cache_behavior {
    path_pattern               = "/api/*"
    target_origin_id           = local.s3_origin_id
    allowed_methods            = ["GET", "HEAD", "OPTIONS", "PUT", "POST", "PATCH", "DELETE"]
    cached_methods             = ["GET", "HEAD"]
    viewer_protocol_policy     = "https-only"
    cache_policy_id            = data.aws_cloudfront_cache_policy.caching_disabled.id
    response_headers_policy_id = aws_cloudfront_response_headers_policy.security_headers.id

    function_association {
      event_type   = "viewer-request"
      function_arn = aws_cloudfront_function.api_not_found.arn
    }
  }

  restrictions {
    geo_restriction {
      restriction_type = "none"
    }
  }

  # With the *.cloudfront.net certificate CloudFront fixes the policy itself (it still accepts
  # TLS 1.0 there); TLSv1.2_2021 is enforced once aliases and an ACM certificate are given.
  viewer_certificate {
    cloudfront_default_certificate = !local.custom_domain
    acm_certificate_arn            = local.custom_domain ? var.acm_certificate_arn : null
    ssl_support_method             = local.custom_domain ? "sni-only" : null
    minimum_protocol_version       = "TLSv1.2_2021"
  }
}
