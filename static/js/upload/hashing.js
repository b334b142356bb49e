// SHA-256 of a file in the browser, the same digest the server stores.
// Web Crypto needs the whole file in one buffer, so callers hash one or two
// files at a time and keep nothing but the hex digest.

// crypto.subtle exists only in secure contexts (https, localhost); elsewhere
// files go up unhashed and the server still refuses duplicates.
export const canHash = Boolean(globalThis.isSecureContext && globalThis.crypto?.subtle);

export async function sha256Hex(file) {
  const digest = await crypto.subtle.digest("SHA-256", await file.arrayBuffer());
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
}
