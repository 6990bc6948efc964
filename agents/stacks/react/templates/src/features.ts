/** Where features plug in. Each feature (behaviour beyond records: a game, a converter) is a
 * folder of its own, src/features/<name>/, written by its own task, whose index.tsx exports its
 * page as `feature`. The folders are found here when the app is built, so adding a feature edits
 * no file another task wrote. */

import type { ComponentType } from "react";

/** A feature's page: its address after "#/", its link in the navigation, and what it shows. */
export interface FeaturePage {
  key: string;
  label: string;
  Page: ComponentType;
}

const modules = import.meta.glob<{ feature: FeaturePage }>("./features/*/index.tsx", {
  eager: true,
});

/** Every feature's page, in the order of their folders' names; none before a feature is built. */
export const FEATURE_PAGES: FeaturePage[] = Object.values(modules).map((module) => module.feature);
