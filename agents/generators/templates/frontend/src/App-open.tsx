import { useEffect, useState } from "react";
%%IMPORT_PAGES%%

const TITLE = %%TITLE%%;
const PAGES = [
%%PAGES%%
];

function currentKey(): string {
  const key = window.location.hash.replace(/^#\/?/, "");
  return PAGES.some((p) => p.key === key) ? key : PAGES[0].key;
}

export function App() {
  const [key, setKey] = useState(currentKey);

  useEffect(() => {
    const follow = () => setKey(currentKey());
    window.addEventListener("hashchange", follow);
    return () => window.removeEventListener("hashchange", follow);
  }, []);

  const page = PAGES.find((p) => p.key === key) ?? PAGES[0];
  return (
    <div className="mx-auto max-w-5xl space-y-6 p-6">
      <header className="flex flex-wrap items-center justify-between gap-4">
        <h1 className="text-2xl font-bold">{TITLE}</h1>
      </header>
      <nav aria-label="Sections" className="flex flex-wrap gap-4 border-b pb-2">
        {PAGES.map((p) => (
          <a
            key={p.key}
            href={`#/${p.key}`}
            aria-current={p.key === page.key ? "page" : undefined}
            className={p.key === page.key ? "font-semibold text-indigo-700" : "text-slate-600"}
          >
            {p.label}
          </a>
        ))}
      </nav>
      <main>
        <page.Page />
      </main>
    </div>
  );
}
