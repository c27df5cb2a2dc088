/**
 * The signed-in session as the page knows it: asked of the server once at start, replaced on sign-in,
 * sign-out and when the server says it has ended. The page never holds the session token itself.
 */
import { CSRF_COOKIE, PUBLIC_SESSION, readCookie, type Session, sessionFrom } from './access.ts';
import { ApiError, api } from './api.ts';

/**
 * The CSRF cookie lives exactly as long as the session cookie, and unlike it is readable: without it
 * nobody is signed in, and asking the server would only earn a 401 in the console on every public page.
 */
export function mayBeSignedIn(): boolean {
  return readCookie(document.cookie, CSRF_COOKIE) !== undefined;
}

/**
 * Forgets a CSRF cookie whose session the server no longer knows (ended elsewhere, or by an
 * administrator), so the next page load does not ask again.
 */
export function forgetCsrfCookie(): void {
  // biome-ignore lint/suspicious/noDocumentCookie: one fixed string; the Cookie Store API is not in every browser the app supports.
  document.cookie = `${CSRF_COOKIE}=; Path=/; Max-Age=0; Secure; SameSite=Strict`;
}

export async function loadSession(): Promise<Session> {
  if (!mayBeSignedIn()) return PUBLIC_SESSION;
  try {
    const session = sessionFrom(await api.session());
    // The server answers the public too; a CSRF cookie left from a session it has ended is forgotten.
    if (!session.account) forgetCsrfCookie();
    return session;
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) {
      forgetCsrfCookie();
      return PUBLIC_SESSION;
    }
    throw error;
  }
}
