// The public metrics operations exactly as the published contract writes them
// (schema/operations/public-metrics.graphql), sent as any client would send them.

const TRUST_METRICS = `query TrustMetrics($scope: String!, $from: Date!, $to: Date!) {
  trustMetrics(unitCode: $scope, from: $from, to: $to) {
    unit {
      code
      name
    }
    from
    to
    officerCount
    complaintsReceived
    complaintsPer100Officers
    allegationsWithFinding
    sustainRate
    medianDaysToClose
    closedWithinDeadlineRate
    openCases
    overdueCases
    commendations
    commendationToComplaintRatio
    satisfaction {
      responses
      averageRating
    }
    byCategory {
      category
      allegations
      sustained
    }
    suppressedFields
    children {
      unit {
        code
        name
      }
      complaintsReceived
      complaintsPer100Officers
      sustainRate
      overdueCases
      suppressedFields
    }
  }
}`;

const TRUST_METRICS_SERIES = `query TrustMetricsSeries($scope: String!, $from: Date!, $to: Date!, $interval: MetricsInterval!) {
  trustMetricsSeries(unitCode: $scope, from: $from, to: $to, interval: $interval) {
    from
    to
    complaintsReceived
    sustainRate
    medianDaysToClose
    commendations
    suppressedFields
  }
}`;

async function post(query, operationName, variables) {
  const response = await fetch("/graphql", {
    method: "POST",
    headers: { "content-type": "application/json", accept: "application/json" },
    body: JSON.stringify({ query, operationName, variables }),
  });
  const body = await response.json().catch(() => null);
  if (!response.ok || !body || body.errors?.length || !body.data) {
    const error = body?.errors?.[0];
    throw new Error(
      `${operationName}: ${error?.extensions?.code ?? response.status} ${error?.message ?? ""}`,
    );
  }
  return body.data;
}

/** One unit's figures, with its child units', over one whole calendar period. */
export const trustMetrics = async (scope, from, to) =>
  (await post(TRUST_METRICS, "TrustMetrics", { scope, from, to })).trustMetrics;

/** One point per month of [from, to), both first days of a month. */
export const trustMetricsSeries = async (scope, from, to) =>
  (await post(TRUST_METRICS_SERIES, "TrustMetricsSeries", { scope, from, to, interval: "MONTH" }))
    .trustMetricsSeries;
