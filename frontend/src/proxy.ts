import { NextResponse, type NextRequest } from "next/server";

const PROTECTED = ["/tasks", "/dashboard", "/settings"];
const GUEST_ONLY = ["/", "/login", "/signup"];
/** Better Auth's session cookie; it gets the `__Secure-` prefix when the API is served over https. */
const SESSION_COOKIES = ["better-auth.session_token", "__Secure-better-auth.session_token"];

const matches = (pathname: string, route: string) => pathname === route || pathname.startsWith(`${route}/`);

/**
 * A fast first gate on the cookie's presence only: the API decides whether the session is valid,
 * and the app shell sends the user to /login when it is not.
 */
export function proxy(request: NextRequest) {
  const { pathname, search } = request.nextUrl;
  const hasSession = SESSION_COOKIES.some((name) => request.cookies.has(name));

  if (!hasSession && PROTECTED.some((route) => matches(pathname, route))) {
    const loginUrl = new URL("/login", request.url);
    loginUrl.searchParams.set("redirect", `${pathname}${search}`);
    return NextResponse.redirect(loginUrl);
  }
  if (hasSession && GUEST_ONLY.includes(pathname)) {
    return NextResponse.redirect(new URL("/tasks", request.url));
  }
  return NextResponse.next();
}

export const config = {
  matcher: ["/", "/login", "/signup", "/tasks/:path*", "/dashboard/:path*", "/settings/:path*"],
};
