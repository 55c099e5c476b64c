// The script of a series page: reads the manifest the page names and draws its chart.

import type { SeriesManifest } from "../site-manifest.js";
import { ChartView, showError } from "./chart-view.js";

const root = document.getElementById("chart") as HTMLElement;
const status = document.getElementById("status") as HTMLElement;
const manifestUrl = new URL(root.dataset.manifest ?? "", document.baseURI);

try {
  const response = await fetch(manifestUrl);
  if (!response.ok) throw new Error(`${manifestUrl.pathname}: HTTP ${response.status}`);
  const manifest = (await response.json()) as SeriesManifest;
  await new ChartView(root, status, manifest, manifestUrl).draw();
} catch (error) {
  showError(status)(error);
}
