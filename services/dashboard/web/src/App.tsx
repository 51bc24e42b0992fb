import { HashRouter, Route, Routes } from 'react-router';
import { Layout } from './components/layout.js';
import { ErrorBox, Skeleton } from './components/status.js';
import { RangeProvider } from './hooks/range.js';
import { RefreshProvider } from './hooks/refresh.js';
import { SessionProvider, useSession } from './hooks/session.js';
import { CustomerDetailPage } from './pages/customer-detail.page.js';
import { CustomersPage } from './pages/customers.page.js';
import { LoginPage } from './pages/login.page.js';
import { LogsPage } from './pages/logs.page.js';
import { ModelsPage } from './pages/models.page.js';
import { NotFoundPage } from './pages/not-found.page.js';
import { OverviewPage } from './pages/overview.page.js';
import { PricingPage } from './pages/pricing.page.js';

/**
 * Hash routing (#/customers/…): the server serves one index.html at any mount path (Vite base './'), so deep links
 * work without a server-side fallback route.
 */
export function App() {
  return (
    <SessionProvider>
      <Gate />
    </SessionProvider>
  );
}

function Gate() {
  const { state, retry } = useSession();
  if (state.status === 'loading') {
    return (
      <div className="center-page">
        <Skeleton lines={2} label="Checking your session" />
      </div>
    );
  }
  if (state.status === 'error') {
    return (
      <div className="center-page">
        <ErrorBox title="Cannot reach the dashboard" error={new Error(state.message)} onRetry={retry} />
      </div>
    );
  }
  if (state.status === 'anonymous') return <LoginPage expired={state.expired} />;
  return (
    <RefreshProvider>
      <RangeProvider defaultTimeZone={state.config.timeZone}>
        <HashRouter>
          <Layout>
            <Routes>
              <Route path="/" element={<OverviewPage />} />
              <Route path="/models" element={<ModelsPage />} />
              <Route path="/customers" element={<CustomersPage />} />
              <Route path="/customers/:id" element={<CustomerDetailPage />} />
              <Route path="/logs" element={<LogsPage />} />
              <Route path="/pricing" element={<PricingPage />} />
              <Route path="*" element={<NotFoundPage />} />
            </Routes>
          </Layout>
        </HashRouter>
      </RangeProvider>
    </RefreshProvider>
  );
}
