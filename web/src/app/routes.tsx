// Every page and its URL. Signed out, every URL shows the login form and comes back to
// itself once signed in. Views are loaded when first visited: the first page needs only its
// own code.
import { lazy } from 'react';
import { Navigate, Route, Routes, useLocation } from 'react-router-dom';
import { useLiveUpdates } from '../api/live';
import { Layout } from './Layout';
import { useSession } from './useSession';
import { LoginView } from '../views/LoginView';

const DashboardView = lazy(() => import('../views/DashboardView').then((m) => ({ default: m.DashboardView })));
const PacksView = lazy(() => import('../views/PacksView').then((m) => ({ default: m.PacksView })));
const PackView = lazy(() => import('../views/PacksView').then((m) => ({ default: m.PackView })));
const ActionsView = lazy(() => import('../views/ActionsView').then((m) => ({ default: m.ActionsView })));
const ActionView = lazy(() => import('../views/ActionsView').then((m) => ({ default: m.ActionView })));
const ExecutionsView = lazy(() => import('../views/executions/ExecutionsView').then((m) => ({ default: m.ExecutionsView })));
const ExecutionView = lazy(() => import('../views/executions/ExecutionView').then((m) => ({ default: m.ExecutionView })));
const WorkflowsView = lazy(() => import('../views/WorkflowsView').then((m) => ({ default: m.WorkflowsView })));
const WorkflowDefinitionView = lazy(() => import('../views/WorkflowsView').then((m) => ({ default: m.WorkflowDefinitionView })));
const InquiriesView = lazy(() => import('../views/InquiriesView').then((m) => ({ default: m.InquiriesView })));
const InquiryView = lazy(() => import('../views/InquiriesView').then((m) => ({ default: m.InquiryView })));
const RulesView = lazy(() => import('../views/rules/RulesView').then((m) => ({ default: m.RulesView })));
const RuleView = lazy(() => import('../views/rules/RuleView').then((m) => ({ default: m.RuleView })));
const RuleEditView = lazy(() => import('../views/rules/RuleEditView').then((m) => ({ default: m.RuleEditView })));
const TriggersView = lazy(() => import('../views/TriggersView').then((m) => ({ default: m.TriggersView })));
const SensorsView = lazy(() => import('../views/TriggersView').then((m) => ({ default: m.SensorsView })));
const EventsView = lazy(() => import('../views/EventsView').then((m) => ({ default: m.EventsView })));
const EnforcementsView = lazy(() => import('../views/EventsView').then((m) => ({ default: m.EnforcementsView })));
const WebhooksView = lazy(() => import('../views/WebhooksView').then((m) => ({ default: m.WebhooksView })));
const KeysView = lazy(() => import('../views/KeysView').then((m) => ({ default: m.KeysView })));
const IdentitiesView = lazy(() => import('../views/admin/IdentitiesView').then((m) => ({ default: m.IdentitiesView })));
const IdentityView = lazy(() => import('../views/admin/IdentityView').then((m) => ({ default: m.IdentityView })));
const PermissionSetsView = lazy(() => import('../views/admin/PermissionSetsView').then((m) => ({ default: m.PermissionSetsView })));
const NotFoundView = lazy(() => import('../views/NotFoundView').then((m) => ({ default: m.NotFoundView })));

export function AppRoutes() {
  const signedIn = useSession() !== null;
  const location = useLocation();
  useLiveUpdates(signedIn);
  if (!signedIn) {
    return location.pathname === '/login' ? <LoginView /> : <LoginView returnTo={location.pathname + location.search} />;
  }
  return (
    <Routes>
      <Route path="/login" element={<Navigate to="/" replace />} />
      <Route element={<Layout />}>
        <Route index element={<DashboardView />} />
        <Route path="packs" element={<PacksView />} />
        <Route path="packs/:ref" element={<PackView />} />
        <Route path="actions" element={<ActionsView />} />
        <Route path="actions/:ref" element={<ActionView />} />
        <Route path="executions" element={<ExecutionsView />} />
        <Route path="executions/:id" element={<ExecutionView />} />
        <Route path="workflows" element={<WorkflowsView />} />
        <Route path="workflows/:ref" element={<WorkflowDefinitionView />} />
        <Route path="inquiries" element={<InquiriesView />} />
        <Route path="inquiries/:id" element={<InquiryView />} />
        <Route path="rules" element={<RulesView />} />
        <Route path="rules/new" element={<RuleEditView />} />
        <Route path="rules/:ref" element={<RuleView />} />
        <Route path="rules/:ref/edit" element={<RuleEditView />} />
        <Route path="triggers" element={<TriggersView />} />
        <Route path="sensors" element={<SensorsView />} />
        <Route path="events" element={<EventsView />} />
        <Route path="enforcements" element={<EnforcementsView />} />
        <Route path="webhooks" element={<WebhooksView />} />
        <Route path="keys" element={<KeysView />} />
        <Route path="admin/identities" element={<IdentitiesView />} />
        <Route path="admin/identities/:login" element={<IdentityView />} />
        <Route path="admin/permission-sets" element={<PermissionSetsView />} />
        <Route path="*" element={<NotFoundView />} />
      </Route>
    </Routes>
  );
}
