import { AccountView } from "@/views/AccountView";

export default function AccountPage() {
  return <AccountView />;
}
