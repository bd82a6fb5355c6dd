variable "name" {
  type        = string
  description = "Name prefix, for example count-prod."
}

variable "bucket_name" {
  type        = string
  description = "Globally unique name of the page bucket."

  validation {
    condition     = can(regex("^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$", var.bucket_name))
    error_message = "bucket_name must be a valid S3 bucket name (3-63 lowercase letters, digits, . or -)."
  }
}

variable "api_origin_domain_name" {
  type        = string
  description = "Host name CloudFront sends /api/* to: the ALB's DNS name, or a custom name on the ALB's certificate."
}

variable "api_origin_protocol" {
  type        = string
  description = "HTTP (ALB without certificate) or HTTPS (ALB with an ACM certificate matching api_origin_domain_name)."
  default     = "HTTP"

  validation {
    condition     = contains(["HTTP", "HTTPS"], var.api_origin_protocol)
    error_message = "api_origin_protocol must be HTTP or HTTPS."
  }
}

variable "origin_header_name" {
  type        = string
  description = "Header CloudFront adds to /api/* origin requests; the ALB forwards only requests that carry it."
  default     = "X-Origin-Verify"
}

variable "origin_header_value" {
  type        = string
  description = "Secret value of origin_header_name (from the alb module)."
  sensitive   = true

  validation {
    condition     = length(var.origin_header_value) >= 32
    error_message = "origin_header_value must be at least 32 characters."
  }
}

variable "aliases" {
  type        = list(string)
  description = "Custom host names of the distribution (need acm_certificate_arn); empty uses the *.cloudfront.net name."
  default     = []

  validation {
    condition     = length(var.aliases) == 0 || var.acm_certificate_arn != null
    error_message = "aliases need acm_certificate_arn (a certificate in us-east-1 covering them)."
  }
}

variable "acm_certificate_arn" {
  type        = string
  description = "ACM certificate in us-east-1 covering the aliases."
  default     = null

  validation {
    condition     = var.acm_certificate_arn == null || can(regex("^arn:[a-z-]+:acm:us-east-1:", var.acm_certificate_arn))
    error_message = "acm_certificate_arn must be an ACM certificate in us-east-1 (CloudFront's requirement) or null."
  }
}

variable "price_class" {
  type        = string
  description = "CloudFront price class: PriceClass_100 (North America, Europe), PriceClass_200 or PriceClass_All."
  default     = "PriceClass_100"

  validation {
    condition     = contains(["PriceClass_100", "PriceClass_200", "PriceClass_All"], var.price_class)
    error_message = "price_class must be PriceClass_100, PriceClass_200 or PriceClass_All."
  }
}

variable "web_acl_arn" {
  type        = string
  description = "ARN of a WAFv2 web ACL (scope CLOUDFRONT) to attach; null attaches none."
  default     = null
}

variable "force_destroy" {
  type        = bool
  description = "Let terraform delete the bucket while it holds objects (non-production only)."
  default     = false
}

variable "public_api_paths" {
  type        = list(string)
  description = "The API paths CloudFront forwards to the ALB; every other /api/ path is answered with a JSON 404 at the edge. /api/admin/* answers only where ADMIN_TOKEN is set (else the Producer's 404) and needs the token."
  default     = ["/api/count", "/api/stats", "/api/history", "/api/health", "/api/admin/*"]

  validation {
    condition     = length(var.public_api_paths) > 0 && alltrue([for path in var.public_api_paths : startswith(path, "/api/") && path != "/api/*"])
    error_message = "public_api_paths must be paths under /api/ (not the /api/* catch-all itself)."
  }
}

variable "content_security_policy" {
  type        = string
  description = "Content-Security-Policy CloudFront sends with every answer; the default is the Producer's own (only the page's origin, no inline script, no framing)."
  default     = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

  validation {
    condition     = strcontains(var.content_security_policy, "frame-ancestors 'none'") && !strcontains(var.content_security_policy, "unsafe-inline")
    error_message = "content_security_policy must keep frame-ancestors 'none' and must not allow 'unsafe-inline'."
  }
}

variable "hsts_max_age_seconds" {
  type        = number
  description = "Strict-Transport-Security max-age: how long browsers insist on HTTPS for the site."
  default     = 31536000

  validation {
    condition     = var.hsts_max_age_seconds >= 86400
    error_message = "hsts_max_age_seconds must be at least a day (86400)."
  }
}

variable "hsts_include_subdomains" {
  type        = bool
  description = "Add includeSubDomains to Strict-Transport-Security (only when every subdomain of the custom domain speaks HTTPS)."
  default     = false
}
