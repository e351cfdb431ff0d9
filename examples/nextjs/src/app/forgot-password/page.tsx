import { ForgotPasswordView } from "@/views/ForgotPasswordView";

export default function ForgotPasswordPage() {
  return <ForgotPasswordView />;
}
