// CloudFront Function (cloudfront-js-2.0, viewer request) of the /api/* behaviour: the HTTP API's routes are /uploads,
// /videos, /play/{assetId}, so `/api/play/a1` reaches the API as `/play/a1`. The API is served under the CDN's
// domain so that the Set-Cookie of POST /api/play/{assetId} lands on the domain that serves the media.
function handler(event) {
  var request = event.request;
  var uri = request.uri;
  if (uri === '/api') {
    request.uri = '/';
  } else if (uri.indexOf('/api/') === 0) {
    request.uri = uri.slice(4);
  }
  return request;
}

// CloudFront runs this file as a script, where `module` is undefined; Node (the tests) gets the handler.
if (typeof module !== 'undefined') module.exports = { handler: handler };
