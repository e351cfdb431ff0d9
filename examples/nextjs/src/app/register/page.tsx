import { RegisterView } from "@/views/RegisterView";

export default function RegisterPage() {
  return <RegisterView />;
}
