/** The console's entry: config, then the router over the pages, behind sign-in. */
import { lazy, StrictMode, Suspense } from 'react';
import { createRoot } from 'react-dom/client';
import { BrowserRouter, Route, Routes } from 'react-router';
import { loadConfig } from './api/config.js';
import { Layout, RequireSession } from './ui/layout.js';
import { SignInPage } from './pages/sign-in.js';
import { HomePage } from './pages/home.js';
import { AppsPage } from './pages/apps.js';
import { AppPage } from './pages/app.js';
import { AppFormPage } from './pages/app-form.js';
import { RunsPage } from './pages/runs.js';
import { RunPage } from './pages/run.js';
import { SchedulesPage } from './pages/schedules.js';
import { AlertsPage } from './pages/alerts.js';
import { ImagesPage } from './pages/images.js';
import { ImagePage } from './pages/image.js';
import { SecretsPage } from './pages/secrets.js';
import './styles.css';

// Chart.js is most of the bundle and only the metrics page needs it: loaded when that page is opened.
const MetricsPage = lazy(() => import('./pages/metrics.js').then((module) => ({ default: module.MetricsPage })));
const CostsPage = lazy(() => import('./pages/costs.js').then((module) => ({ default: module.CostsPage })));

void loadConfig().then(() =>
  createRoot(document.getElementById('root')!).render(
    <StrictMode>
      <BrowserRouter>
        <Routes>
          <Route path="/signin" element={<SignInPage />} />
          <Route element={<RequireSession />}>
            <Route element={<Layout />}>
              <Route index element={<HomePage />} />
              <Route path="apps" element={<AppsPage />} />
              <Route path="apps/new" element={<AppFormPage />} />
              <Route path="apps/:appId" element={<AppPage />} />
              <Route path="apps/:appId/edit" element={<AppFormPage />} />
              <Route path="runs" element={<RunsPage />} />
              <Route path="runs/:runId" element={<RunPage />} />
              <Route path="schedules" element={<SchedulesPage />} />
              <Route path="alerts" element={<AlertsPage />} />
              <Route path="images" element={<ImagesPage />} />
              <Route path="images/:imageId" element={<ImagePage />} />
              <Route path="secrets" element={<SecretsPage />} />
              <Route
                path="metrics"
                element={
                  <Suspense fallback={<p role="status">Loading…</p>}>
                    <MetricsPage />
                  </Suspense>
                }
              />
              <Route
                path="costs"
                element={
                  <Suspense fallback={<p role="status">Loading…</p>}>
                    <CostsPage />
                  </Suspense>
                }
              />
              <Route path="*" element={<p>There is no such page.</p>} />
            </Route>
          </Route>
        </Routes>
      </BrowserRouter>
    </StrictMode>,
  ),
);
