/**
 * A course as the app posts it to the service (`/api/v1/evaluate`, `/api/v1/report`): gzip-compressed where the
 * browser can (CompressionStream), which makes FHIR JSON about ten times smaller; the service inflates it within the
 * same BODY_LIMIT (express's JSON parser counts the inflated bytes). Why the app posts what it read rather than
 * a reference for the service to read itself: docs/reviewer-app.md, "Reading the record".
 */
export async function courseUpload(bundle: unknown): Promise<{ body: BodyInit; headers: Record<string, string> }> {
  const json = JSON.stringify(bundle);
  if (typeof CompressionStream !== 'function') return { body: json, headers: { 'content-type': 'application/fhir+json' } };
  const compressed = new Blob([json]).stream().pipeThrough(new CompressionStream('gzip'));
  return {
    body: await new Response(compressed).blob(),
    headers: { 'content-type': 'application/fhir+json', 'content-encoding': 'gzip' },
  };
}
