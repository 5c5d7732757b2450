import { Link } from 'react-router-dom';
import { Page } from '../components/Page';

export function NotFoundView() {
  return (
    <Page title="Not found">
      <p>
        There is no page here. <Link to="/">Back to the dashboard</Link>.
      </p>
    </Page>
  );
}
