import { createAuthClient } from "better-auth/react";

import { API_URL } from "@/lib/config";

export const authClient = createAuthClient({ baseURL: API_URL });

export type SessionUser = typeof authClient.$Infer.Session.user;
