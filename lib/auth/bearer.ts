/** Returns the token of an `Authorization: Bearer <token>` header value, or undefined for any other value. */
export function bearerToken(header: string | undefined): string | undefined {
  const match = /^Bearer +(\S+) *$/i.exec(header ?? '');
  return match?.[1];
}
