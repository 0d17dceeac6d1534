'use strict';
// fhirclient uses globalThis.crypto when present and only falls back to this module; every supported runtime
// (evergreen browsers, Node >= 19) has WebCrypto, so the fallback is the platform's own.
module.exports = { default: globalThis.crypto };
