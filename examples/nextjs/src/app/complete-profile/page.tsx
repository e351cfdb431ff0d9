import { CompleteProfileView } from "@/views/CompleteProfileView";

export default function CompleteProfilePage() {
  return <CompleteProfileView />;
}
