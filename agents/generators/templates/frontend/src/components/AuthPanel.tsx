import { useState, type FormEvent } from "react";
import { call, setToken } from "../client";

interface Session {
  token: string;
  user: { email: string };
}

/** Log in or register; the token is kept in localStorage and sent with every write. */
export function AuthPanel({ onLogin }: { onLogin: (email: string) => void }) {
  const [mode, setMode] = useState<"login" | "register">("login");
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [error, setError] = useState<string | null>(null);

  async function submit(event: FormEvent) {
    event.preventDefault();
    try {
      const session = await call<Session>("POST", `/api/auth/${mode}`, { email, password });
      setToken(session.token);
      onLogin(session.user.email);
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    }
  }

  const title = mode === "login" ? "Log in" : "Register";
  return (
    <form aria-label={title} onSubmit={submit} className="flex flex-wrap items-end gap-2">
      <label className="text-sm">
        Email
        <input
          type="email"
          required
          value={email}
          onChange={(e) => setEmail(e.target.value)}
          className="ml-1 rounded border px-2 py-1"
        />
      </label>
      <label className="text-sm">
        Password
        <input
          type="password"
          required
          minLength={8}
          value={password}
          onChange={(e) => setPassword(e.target.value)}
          className="ml-1 rounded border px-2 py-1"
        />
      </label>
      <button type="submit" className="rounded bg-slate-800 px-3 py-1 text-white">
        {title}
      </button>
      <button
        type="button"
        className="text-sm underline"
        onClick={() => setMode(mode === "login" ? "register" : "login")}
      >
        {mode === "login" ? "Create an account" : "I have an account"}
      </button>
      {error && (
        <p role="alert" className="w-full text-red-700">
          {error}
        </p>
      )}
    </form>
  );
}
