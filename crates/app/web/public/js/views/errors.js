// What an API error means to the user, in their language.
export function describe(error, t) {
  switch (error?.code) {
    case "openrouter_key_missing": return t("errKeyMissing");
    case "upstream_insufficient_credits": return t("errCredits");
    case "upstream_rate_limited": return t("errRateLimited", { seconds: error.retryAfter || error.retry_after || "?" });
    case "upstream_unauthorized": return t("errUpstreamKey");
    case "upstream_timeout": return t("errTimeout");
    case "invalid_credentials": return t("errCredentials");
    case "username_taken": return t("errTaken");
    case "too_many_attempts": return t("errTooMany");
    case "unauthorized": return t("errExpired");
    default: return t("errGeneric", { message: error?.message || String(error) });
  }
}
